/**
 * Test helpers for trace assertions: `collectSpans()` registers the real trace SDK with an in-memory exporter
 * (every span sampled, exported synchronously when it ends) for the rest of a test file. Only one can be
 * active per process; `stop()` unregisters it. Use it in any test that drives requests through the gateway:
 *
 *   const spans = await collectSpans();
 *   after(() => spans.stop());
 *   // … one streamed request …
 *   const root = spans.root('POST /v1/chat/completions');
 *   assert.deepEqual(spans.childNames(root), ['auth', 'limits', 'plan', …]);
 */
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { startTracing } from '../../src/telemetry/tracing.ts';

export interface SpanTreeNode {
  name: string;
  span: ReadableSpan;
  children: SpanTreeNode[];
}

export interface CollectedSpans {
  readonly exporter: InMemorySpanExporter;
  /** Finished spans, in the order they ended. */
  all(): ReadableSpan[];
  /** Finished spans called `name`. */
  named(name: string): ReadableSpan[];
  /** The one finished span called `name` with no parent in the collected set; throws if not exactly one. */
  root(name: string): ReadableSpan;
  /** Direct children of `parent`, ordered by start time. */
  children(parent: ReadableSpan): ReadableSpan[];
  childNames(parent: ReadableSpan): string[];
  /** The subtree under `root`, children ordered by start time. */
  tree(root: ReadableSpan): SpanTreeNode;
  /** The tree as indented lines (`name` per line, two spaces per level): handy in assertion messages. */
  render(root: ReadableSpan): string;
  /** Forget the spans collected so far. */
  reset(): void;
  stop(): Promise<void>;
}

function parentId(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

function startNanos(span: ReadableSpan): bigint {
  return BigInt(span.startTime[0]) * 1_000_000_000n + BigInt(span.startTime[1]);
}

export async function collectSpans(): Promise<CollectedSpans> {
  const exporter = new InMemorySpanExporter();
  const tracing = await startTracing({ traces: true, metrics: false, log_level: 'silent' }, { exporter, env: {} });
  const all = () => exporter.getFinishedSpans();
  const children = (parent: ReadableSpan) =>
    all()
      .filter(
        (s) => parentId(s) === parent.spanContext().spanId && s.spanContext().traceId === parent.spanContext().traceId,
      )
      .sort((a, b) => (startNanos(a) < startNanos(b) ? -1 : startNanos(a) > startNanos(b) ? 1 : 0));
  const tree = (root: ReadableSpan): SpanTreeNode => ({
    name: root.name,
    span: root,
    children: children(root).map(tree),
  });
  const renderNode = (node: SpanTreeNode, depth: number): string[] => [
    `${'  '.repeat(depth)}${node.name}`,
    ...node.children.flatMap((child) => renderNode(child, depth + 1)),
  ];
  return {
    exporter,
    all,
    named: (name) => all().filter((s) => s.name === name),
    root(name) {
      const ids = new Set(all().map((s) => s.spanContext().spanId));
      const roots = all().filter((s) => s.name === name && !ids.has(parentId(s) ?? ''));
      if (roots.length !== 1) throw new Error(`expected one root span ${name}, found ${roots.length}`);
      return roots[0];
    },
    children,
    childNames: (parent) => children(parent).map((s) => s.name),
    tree,
    render: (root) => renderNode(tree(root), 0).join('\n'),
    reset: () => exporter.reset(),
    stop: () => tracing.shutdown(),
  };
}
