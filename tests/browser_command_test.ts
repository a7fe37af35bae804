import assert from "node:assert/strict";
import { browserCommand } from "../src/cli/browser_command.ts";

const URL_WITH_AMPERSANDS = "https://accounts.google.com/o/oauth2/v2/auth?client_id=1-a.apps" +
  ".googleusercontent.com&redirect_uri=http%3A%2F%2F127.0.0.1%3A8080&response_type=code" +
  "&scope=a%20b&state=xyz&code_challenge=abc&code_challenge_method=S256";

Deno.test("browserCommand() passes the whole URL as one argument on every OS", async (t) => {
  const cases: [typeof Deno.build.os, string[]][] = [
    ["windows", ["rundll32", "url.dll,FileProtocolHandler", URL_WITH_AMPERSANDS]],
    ["darwin", ["open", URL_WITH_AMPERSANDS]],
    ["linux", ["xdg-open", URL_WITH_AMPERSANDS]],
    ["freebsd", ["xdg-open", URL_WITH_AMPERSANDS]],
  ];
  for (const [os, want] of cases) {
    await t.step(os, () => {
      const cmd = browserCommand(URL_WITH_AMPERSANDS, os);
      assert.deepEqual(cmd, want);
      // No shell in between: `cmd /c start` would end the URL at its first "&".
      assert.ok(!cmd.includes("cmd") && !cmd.includes("/c"), cmd.join(" "));
      assert.equal(cmd.at(-1), URL_WITH_AMPERSANDS);
    });
  }
});
