// The order in which a round runs its targets: a seeded shuffle of them per round. A rotation (each
// round starting one target later) keeps every target right after the same one in every round, so
// whatever a target leaves behind (its garbage, its threads still spinning, the caches it filled)
// always falls on the same next target; shuffled, it falls on different ones from round to round, and
// round-by-round ratios stay fair. Seeded by the round, so every run orders its rounds alike.
import { fnv1a32, mulberry32 } from "../src/inference/gguf/seededRandom.js";

export function roundOrder<T>(items: readonly T[], round: number): T[] {
  const order = [...items];
  const random = mulberry32(fnv1a32(`bench round ${round}`));
  for (let index = order.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [order[index], order[other]] = [order[other], order[index]];
  }
  return order;
}
