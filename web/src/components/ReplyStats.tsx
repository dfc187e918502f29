// A finished reply's numbers: why it ended, tokens, time to first token, speed.
import type { ReplyStats as Stats } from "../chat/types.js";
import { formatCount, formatMs, formatRate } from "../format.js";

export function ReplyStats({ stats }: { stats: Stats }) {
  return (
    <dl class="stats" aria-label="Reply statistics">
      <div>
        <dt>Finish</dt>
        <dd data-testid="finish-reason">{stats.finishReason.toLowerCase().replace("_", " ")}</dd>
      </div>
      <div>
        <dt>Tokens</dt>
        <dd
          data-testid="completion-tokens"
          title={`prompt ${stats.promptTokens}, ${stats.cachedPromptTokens} of them cached`}
        >
          {formatCount(stats.completionTokens)}
        </dd>
      </div>
      <div>
        <dt>
          <abbr title="Time to first token, from sending">TTFT</abbr>
        </dt>
        <dd data-testid="ttft">
          {stats.timeToFirstTokenMs === undefined ? "–" : formatMs(stats.timeToFirstTokenMs)}
        </dd>
      </div>
      <div>
        <dt>Speed</dt>
        <dd data-testid="tokens-per-second">{formatRate(stats.tokensPerSecond)}</dd>
      </div>
      <div>
        <dt>Prompt</dt>
        <dd>
          {formatCount(stats.promptTokens)}
          {stats.cachedPromptTokens > 0 && ` (${formatCount(stats.cachedPromptTokens)} cached)`}
        </dd>
      </div>
    </dl>
  );
}
