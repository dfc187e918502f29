import { describe, expect, test } from "vitest";
import { StopSequenceMatcher } from "../../src/inference/engine/stopSequenceMatcher.js";

describe("StopSequenceMatcher", () => {
  test("emits text that cannot start a stop string at once", () => {
    const matcher = new StopSequenceMatcher(["END"]);
    expect(matcher.push("hello ")).toEqual({ emit: "hello " });
  });

  test("holds back a tail that may become a stop string, across pushes", () => {
    const matcher = new StopSequenceMatcher(["END"]);
    expect(matcher.push("abc E")).toEqual({ emit: "abc " });
    expect(matcher.push("N")).toEqual({ emit: "" });
    expect(matcher.push("D tail")).toEqual({ emit: "", matched: "END" });
  });

  test("releases held text when it turns out not to be a stop string", () => {
    const matcher = new StopSequenceMatcher(["END"]);
    matcher.push("x EN");
    expect(matcher.push("x")).toEqual({ emit: "ENx" });
  });

  test("the stop string that appears first in the text wins", () => {
    const matcher = new StopSequenceMatcher(["b", "abc"]);
    expect(matcher.push("xxabc")).toEqual({ emit: "xx", matched: "abc" });
  });

  test("flush returns what was held when generation ends", () => {
    const matcher = new StopSequenceMatcher(["STOP"]);
    matcher.push("the ST");
    expect(matcher.flush()).toBe("ST");
  });
});
