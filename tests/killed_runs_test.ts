/** A run killed without a chance to record its end is marked interrupted by the next command. */
import assert from "node:assert/strict";
import { MediaIndex } from "../src/index/mod.ts";
import { startFakeGoogle } from "./fake_google/mod.ts";
import { generateAccount } from "./fixtures/generate.ts";
import { runCli, setupTarget } from "./helpers.ts";

/** Leaves a `runs` row as a SIGKILLed process does: started, never finished. */
function leaveOpenRun(target: string, command: string): number {
  const index = MediaIndex.open(target);
  try {
    return index.startRun(command);
  } finally {
    index.close();
  }
}

function runStatus(target: string, id: number): string | null | undefined {
  const index = MediaIndex.open(target);
  try {
    return index.lastRuns().find((r) => r.id === id)?.status;
  } finally {
    index.close();
  }
}

Deno.test("runs left open by a killed process are marked interrupted", async (t) => {
  const fake = await startFakeGoogle({ account: generateAccount({ items: 2, seed: 8 }), seed: 8 });
  const setup = await setupTarget(fake);
  const { target, env } = setup;
  try {
    await t.step("by the next writing command, and status shows it", async () => {
      const killed = leaveOpenRun(target, "download");
      assert.equal(runStatus(target, killed), null);
      const res = await runCli(["index", target], env);
      assert.equal(res.code, 0, res.stderr);
      assert.equal(runStatus(target, killed), "interrupted");
      const status = await runCli(["status", target], env);
      assert.match(
        status.stdout,
        /download\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d\d:\d\d\s+interrupted/,
      );
    });

    await t.step("by auth, which holds the lock too", async () => {
      const killed = leaveOpenRun(target, "albums");
      const res = await runCli(["auth", target], env);
      assert.equal(res.code, 0, res.stderr);
      assert.equal(runStatus(target, killed), "interrupted");
    });

    await t.step("status alone (no lock) leaves a run that may be alive as it is", async () => {
      const open = leaveOpenRun(target, "compare");
      await runCli(["status", target], env);
      assert.equal(runStatus(target, open), null);
    });
  } finally {
    await fake.close();
    await setup.cleanup();
  }
});
