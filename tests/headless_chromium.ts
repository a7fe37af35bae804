/** Debian's Chromium, headless, with a fresh profile: for the status page's test and benchmark. */
import { type Browser, launch } from "puppeteer-core";

/** Where Debian's `chromium` package puts the browser (`.ci/run` installs it). */
export const CHROMIUM = "/usr/bin/chromium";

/** A running browser and how to end it (its profile goes too). */
export interface HeadlessChromium {
  browser: Browser;
  close(): Promise<void>;
}

/**
 * Starts Chromium headless. Background networking, updates and sync are off: this machine refuses
 * Chromium's own connections, which would otherwise show up as errors.
 */
export async function launchChromium(): Promise<HeadlessChromium> {
  const profile = await Deno.makeTempDir({ prefix: "chromium-profile-" });
  const browser = await launch({
    executablePath: CHROMIUM,
    headless: true,
    pipe: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      `--user-data-dir=${profile}`,
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
      await Deno.remove(profile, { recursive: true });
    },
  };
}
