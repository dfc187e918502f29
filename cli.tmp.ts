import { runModelCommand } from "./src/cli/modelCommand.ts";
const cases = [[], ["huge"], ["tiny", "bench"], ["tiny", "--seed", "-1"], ["tiny", "--seed", "1.5"], ["tiny", "--seed"], ["tiny", "--foo"], ["tiny", "--rank", "4"], ["tiny", "--lora", "--rank", "0"], ["tiny", "--lora", "--alpha", "x"], ["--help"], ["tiny", "--out", "/proc/nope/x.gguf"], ["tiny", "--lora", "--rank", "4", "--alpha", "8", "--out", "/tmp/cmp/l.gguf"]];
for (const c of cases) { const rc = await runModelCommand(c); console.log(`  -> rc=${rc} for ${JSON.stringify(c)}`); }
