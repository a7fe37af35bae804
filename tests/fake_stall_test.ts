import assert from "node:assert/strict";
import { generateAccount } from "./fixtures/generate.ts";
import { startFakeGoogle } from "./fake_google/mod.ts";
import { mintBaseUrl } from "./fake_google/_media.ts";

Deno.test("the fake's stallRate sends part of a body, then holds the connection open", async () => {
  const account = generateAccount({ items: 60, seed: 5, albums: 0, itemBytes: 200_000 });
  const fake = await startFakeGoogle({ account, seed: 5, stallRate: 1 });
  try {
    const item = account.items.find((i) => i.mimeType === "image/jpeg" && i.inLibrary)!;
    const size = fake.servedBytes(item.id, "d").length;
    const res = await fetch(`${mintBaseUrl(fake.core, item.id)}=d`);
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    let got = 0;
    let ended = false;
    // Read until nothing arrives for 300 ms: a stalled body neither ends nor errors.
    while (true) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const quiet = new Promise<"quiet">((r) => timer = setTimeout(() => r("quiet"), 300));
      const next = await Promise.race([reader.read(), quiet]);
      clearTimeout(timer);
      if (next === "quiet") break;
      if (next.done) {
        ended = true;
        break;
      }
      got += next.value.length;
    }
    assert.equal(ended, false, "the body never ends");
    assert.ok(got > 0 && got < size, `part of the body came (${got} of ${size} bytes)`);
    await reader.cancel();
  } finally {
    await fake.close();
  }
});
