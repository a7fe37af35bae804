/** The command that opens a URL in the user's browser, per OS: a pure function, tested per OS. */

/**
 * The program and arguments that open `url`, passed as one argument each (no shell parses them).
 * Windows: `cmd /c start` would cut the URL at its first `&` (every OAuth URL has several), so the
 * URL goes to `rundll32 url.dll,FileProtocolHandler`, which hands it whole to the default browser.
 */
export function browserCommand(url: string, os: typeof Deno.build.os): [string, ...string[]] {
  if (os === "darwin") return ["open", url];
  if (os === "windows") return ["rundll32", "url.dll,FileProtocolHandler", url];
  return ["xdg-open", url];
}
