import { expect, test } from "vitest";
import { ToolCallStreamParser } from "../../src/resolvers/chat/toolCallStreamParser.js";

function feed(text: string, chunkSize: number) {
  const parser = new ToolCallStreamParser();
  const fragments = [];
  for (let index = 0; index < text.length; index += chunkSize)
    fragments.push(...parser.push(text.slice(index, index + chunkSize)));
  return { parser, fragments };
}

const twoCalls =
  '[ {"name": "get_weather", "arguments": {"city": "Pa\\"ris", "n": [1, {"x": "}"}]}}, {"name":"b","arguments":{}} ]';

test.each([1, 3, 7, 1000])("reads every call from chunks of %i characters", (chunkSize) => {
  const { parser, fragments } = feed(twoCalls, chunkSize);
  expect(parser.calls).toEqual([
    { name: "get_weather", arguments: '{"city": "Pa\\"ris", "n": [1, {"x": "}"}]}' },
    { name: "b", arguments: "{}" },
  ]);
  const first = fragments.filter((fragment) => fragment.index === 0);
  expect(first[0].name).toBe("get_weather");
  expect(first.map((fragment) => fragment.argumentsDelta).join("")).toBe(parser.calls[0].arguments);
});

test("a call's name is reported before any of its arguments", () => {
  const { fragments } = feed(twoCalls, 1);
  const firstWithArguments = fragments.findIndex((fragment) => fragment.argumentsDelta !== "");
  const firstWithName = fragments.findIndex((fragment) => fragment.name !== undefined);
  expect(firstWithName).toBeLessThan(firstWithArguments);
});
