import { describe, expect, it } from "vitest";
import { type JournalEntry, journalLine, KirinJournalError, parseJournal, replayJournal } from "../../src/journal.js";

const at = "2026-11-23T00:00:00.000Z";
const start = (key: string, id: string, attempt = 1): JournalEntry => ({
  v: 1,
  at,
  type: "start",
  key,
  external_task_id: id,
  attempt,
  request_hash: "h",
});

describe("replayJournal", () => {
  it("gives each key the phase its last fact says", () => {
    const entries: JournalEntry[] = [
      start("a", "a-1"),
      start("b", "b-1"),
      { v: 1, at, type: "created", key: "b", external_task_id: "b-1", task_id: "task_b" },
      start("c", "c-1"),
      { v: 1, at, type: "unsent", key: "c", external_task_id: "c-1", reason: "402" },
      start("d", "d-1"),
      { v: 1, at, type: "created", key: "d", external_task_id: "d-1", task_id: "task_d" },
      { v: 1, at, type: "end", key: "d", result: { key: "d", outcome: "completed", taskId: "task_d" } },
    ];
    const states = replayJournal(entries);
    expect(states.get("a")).toMatchObject({ phase: "sent", externalTaskId: "a-1" });
    expect(states.get("b")).toMatchObject({ phase: "created", taskId: "task_b" });
    expect(states.get("c")).toMatchObject({ phase: "unsent", externalTaskId: "c-1" });
    expect(states.get("d")).toMatchObject({ phase: "ended", result: { outcome: "completed" } });
    expect(states.has("e")).toBe(false);
  });

  it("a new start (a re-creation) replaces the old task: the key is sent again under its new id", () => {
    const states = replayJournal([
      start("a", "a-1"),
      { v: 1, at, type: "created", key: "a", external_task_id: "a-1", task_id: "task_1" },
      start("a", "a-1-retry-2", 2),
    ]);
    expect(states.get("a")).toMatchObject({ phase: "sent", externalTaskId: "a-1-retry-2", attempt: 2 });
    expect(states.get("a")!.taskId).toBeUndefined();
  });

  it("ignores a fact about an older external_task_id of the key", () => {
    const states = replayJournal([
      start("a", "a-1"),
      start("a", "a-1-retry-2", 2),
      { v: 1, at, type: "unsent", key: "a", external_task_id: "a-1", reason: "x" },
    ]);
    expect(states.get("a")!.phase).toBe("sent");
  });
});

describe("parseJournal", () => {
  const lines = [start("a", "a-1"), start("b", "b-1")].map(journalLine).join("");

  it("reads whole lines and drops a torn last one, saying where the whole lines end", () => {
    const torn = `${lines}{"v":1,"at":"x","type":"start","key":"c","exter`;
    const { entries, wholeLength } = parseJournal(torn);
    expect(entries.map((e) => e.key)).toEqual(["a", "b"]);
    expect(wholeLength).toBe(Buffer.byteLength(lines));
  });

  it("refuses a damaged line anywhere but at the end, rather than resume from a guess", () => {
    expect(() => parseJournal(`${lines}not json\n${lines}`, "j.journal")).toThrow(KirinJournalError);
    expect(() => parseJournal(`${lines}not json\n`, "j.journal")).toThrow(/j.journal line 3 is not JSON/);
    expect(() => parseJournal(`{"v":2,"key":"a","type":"start"}\n`)).toThrow(/not a journal entry of version 1/);
  });

  it("round-trips every entry through its line", () => {
    const entries: JournalEntry[] = [
      start("k", "k-1"),
      { v: 1, at, type: "unsent", key: "k", external_task_id: "k-1", reason: "429" },
      { v: 1, at, type: "created", key: "k", external_task_id: "k-1", task_id: "t" },
      {
        v: 1,
        at,
        type: "end",
        key: "k",
        result: {
          key: "k",
          outcome: "failed",
          error: { name: "KirinTaskFailedError", category: "fix-request", message: "m", code: "006001095" },
        },
      },
    ];
    expect(parseJournal(entries.map(journalLine).join("")).entries).toEqual(entries);
  });
});
