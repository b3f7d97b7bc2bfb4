/**
 * @module eval/judge — the optional LLM judge (off unless `--judge-url` is given): asks any OpenAI-compatible
 * endpoint whether an answer is supported by the passages retrieval supplied (groundedness), one yes/no per
 * answer of a retrieval strategy, at temperature 0. Verdicts are appended to `judgments.jsonl` so a resumed run
 * does not ask twice; an unparseable verdict counts as not judged (null), never as a pass.
 */
import OpenAI from 'openai';
import type { AnswerRecord } from './answer-record.ts';
import type { OutputFolder } from './output-folder.ts';

export interface Judgment {
  system: string;
  case_id: string;
  grounded: number | null;
}

export interface JudgeOptions {
  url: string;
  model: string;
  apiKey: string;
  concurrency: number;
}

export function judgePrompt(question: string, answer: string, passages: string[]): string {
  return [
    'You check whether an answer is supported by the given passages. Reply with exactly one word: yes or no.',
    '',
    'Passages:',
    ...passages.map((p, i) => `[${i + 1}] ${p}`),
    '',
    `Question: ${question}`,
    `Answer: ${answer}`,
    '',
    'Is every claim of the answer supported by the passages?',
  ].join('\n');
}

export function parseVerdict(text: string): number | null {
  const m = /^\W*(yes|no)\b/i.exec(text.trim());
  return m ? (m[1].toLowerCase() === 'yes' ? 1 : 0) : null;
}

export async function judgeAnswers(
  folder: OutputFolder,
  answers: AnswerRecord[],
  questions: Map<string, string>,
  o: JudgeOptions,
): Promise<Judgment[]> {
  const client = new OpenAI({ baseURL: o.url, apiKey: o.apiKey, maxRetries: 4 });
  const done = new Map(folder.judgments().map((j) => [`${j.system}\u0000${j.case_id}`, j]));
  const todo = answers.filter((a) => !a.error && a.retrieved.length > 0 && !done.has(`${a.system}\u0000${a.case_id}`));
  let next = 0;
  const worker = async () => {
    while (next < todo.length) {
      const a = todo[next++];
      const res = await client.chat.completions.create({
        model: o.model,
        temperature: 0,
        max_tokens: 3,
        messages: [
          {
            role: 'user',
            content: judgePrompt(
              questions.get(a.case_id) ?? '',
              a.answer,
              a.retrieved.map((r) => r.text),
            ),
          },
        ],
      });
      const j = {
        system: a.system,
        case_id: a.case_id,
        grounded: parseVerdict(res.choices[0]?.message?.content ?? ''),
      };
      folder.appendJudgment(j);
      done.set(`${j.system}\u0000${j.case_id}`, j);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency) }, worker));
  return [...done.values()];
}
