/**
 * @module rag/stop-words — words dropped before BM25 and full-text indexing: the common English list
 * (the same spirit as Qdrant's default English stop words) and frequent Chinese function words.
 */
const english = `a about above after again against all am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have having he her
here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of
off on once only or other our ours ourselves out over own same she should so some such than that the their theirs
them themselves then there these they this those through to too under until up very was we were what when where
which while who whom why will with would you your yours yourself yourselves s t don`;

const chinese = `的 了 是 在 和 与 及 或 也 就 都 而 但 并 又 呢 吗 吧 啊 呀 嘛 之 其 这 那 这个 那个 这些 那些 我 你 他 她 它
我们 你们 他们 她们 它们 自己 被 把 给 对 从 向 于 以 为 由 着 过 地 得 所 则 即 等 请 一个`;

export const stopWords: ReadonlySet<string> = new Set(
  [...english.split(/\s+/), ...chinese.split(/\s+/)].filter(Boolean),
);
