// llama.cpp's embedding normalisations (common_embd_normalize), chosen by the same numbers as its `embd_normalize`.

/**
 * -1: none; 0: scaled so the largest magnitude is 32760 (int16 range); 1: taxicab; 2: euclidean
 * (unit length, as OpenAI's vectors are); p > 2: the p-norm.
 */
export function normalizeEmbedding(vector: readonly number[], norm: number): number[] {
  let size: number;
  if (norm === -1) size = 1;
  else if (norm === 0) size = Math.max(0, ...vector.map(Math.abs)) / 32760;
  else if (norm === 2) size = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
  else size = vector.reduce((sum, value) => sum + Math.abs(value) ** norm, 0) ** (1 / norm);
  const scale = size > 0 ? 1 / size : 0;
  return vector.map((value) => value * scale);
}
