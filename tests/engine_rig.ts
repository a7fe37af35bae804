/** A TARGET with an index and a Google client against the fake, for the engine's tests. */
import { endpointsFromEnv } from "../src/config.ts";
import { TokenProvider } from "../src/google/auth.ts";
import { findClientSecret } from "../src/google/client_secret.ts";
import { GoogleHttp } from "../src/google/http.ts";
import { LibraryApi } from "../src/google/library_api.ts";
import { Pacer } from "../src/google/pacer.ts";
import { MediaIndex } from "../src/index/mod.ts";
import { type FakeGoogle, type FakeGoogleOptions, startFakeGoogle } from "./fake_google/mod.ts";
import { setupTarget, type TestTarget } from "./helpers.ts";

/** A TARGET with an index and a Google client against the fake, built as `openSession` does. */
export interface Rig {
  fake: FakeGoogle;
  t: TestTarget;
  index: MediaIndex;
  pacer: Pacer;
  http: GoogleHttp;
  library: LibraryApi;
  close(): Promise<void>;
}

export async function rig(options: FakeGoogleOptions): Promise<Rig> {
  const fake = await startFakeGoogle(options);
  const t = await setupTarget(fake);
  const secret = await findClientSecret({ secret: t.secretPath, env: t.env, home: t.root });
  const endpoints = endpointsFromEnv(t.env);
  // Same pacer as a real run, minus the waiting: backoff in milliseconds, not seconds.
  const pacer = new Pacer({ min429WaitS: 0, baseDelayMs: 2, capMs: 20 });
  const tokens = new TokenProvider({ target: t.target, secret, endpoints, pacer });
  const http = new GoogleHttp({ tokens, pacer });
  const library = new LibraryApi({ http, baseUrl: endpoints.library });
  const index = MediaIndex.open(t.target);
  return {
    fake,
    t,
    index,
    pacer,
    http,
    library,
    async close() {
      index.close();
      await fake.close();
      await t.cleanup();
    },
  };
}
