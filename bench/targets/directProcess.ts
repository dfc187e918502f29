// The process the `direct` target runs in (direct.ts): it opens the engine, then measures the requests
// the bench sends it over IPC with the same closed loop as every other target, and sends back what
// its clients saw and the CPU this process used (the engine's included, as when it ran in the bench's
// own process).
import { runAtConcurrency } from "../loadGenerator.js";
import { type DirectOptions, type DirectProcessMessage, openDirect } from "./direct.js";

const send = (message: DirectProcessMessage) => process.send?.(message);

const session = await openDirect(JSON.parse(process.argv[2]) as DirectOptions);
process.on("message", async (message: DirectProcessMessage) => {
  if (message.type === "close") {
    await session.close();
    process.disconnect();
    return;
  }
  if (message.type !== "measure") return;
  try {
    const result = await runAtConcurrency(session, message.requests, message.concurrency);
    send({ type: "measured", id: message.id, result });
  } catch (error) {
    send({ type: "failed", id: message.id, error: error instanceof Error ? error.message : String(error) });
  }
});
// The bench gone (ended or killed): nothing is left to measure for.
process.once("disconnect", () => process.exit(0));
send({ type: "ready" });
