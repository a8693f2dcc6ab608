/**
 * Requests on other servers (several servers on one database): what a server says of its on-demand
 * requests and when, and how long what it said holds. Nothing is said per request.
 */
import { describe, expect, it } from "vitest";
import { CLAIM_TTL_MS, LocalActivity, RemoteActivity, type ActivityReport } from "../../../server/core/ondemand/activity";

describe("RemoteActivity", () => {
  it("counts the servers that call a deployment busy; a server's new word replaces its old; silence expires a claim", () => {
    const r = new RemoteActivity();
    expect(r.hear("s1", { busy: ["a", "b"], last: [["a", 5]] }, 0)).toEqual([["a", 5]]);
    r.hear("s2", { busy: ["a"], last: [] }, 0);
    expect([r.busyCount("a", 1), r.busyCount("b", 1), r.busyCount("c", 1)]).toEqual([2, 1, 0]);
    r.hear("s1", { busy: [], last: [] }, 10);
    expect([r.busyCount("a", 10), r.busyCount("b", 10)]).toEqual([1, 0]);
    expect(r.busyCount("a", CLAIM_TTL_MS + 1)).toBe(0); // s2 died mid-request: its claim goes
  });
});

describe("LocalActivity", () => {
  it("speaks when a deployment turns busy unless its last word said so, and at a flush only when there is something to say", () => {
    let busy: string[] = [];
    const said: ActivityReport[] = [];
    const local = new LocalActivity(() => busy);
    local.turnedBusy("a"); // nobody listens (one server alone): nothing is built
    local.listen((r) => said.push(r));
    local.flush([]);
    expect(said).toEqual([]); // idle: silent

    busy = ["a"];
    local.turnedBusy("a");
    local.turnedBusy("a"); // a second request while the others already believe it busy: nothing new
    expect(said).toEqual([{ busy: ["a"], last: [] }]);

    busy = [];
    local.flush([["a", 7]]); // the periodic word clears the claim and carries the time
    busy = ["a"];
    local.turnedBusy("a"); // busy again after the others heard it idle: said at once
    expect(said).toEqual([{ busy: ["a"], last: [] }, { busy: [], last: [["a", 7]] }, { busy: ["a"], last: [] }]);
    busy = [];
    local.flush([]);
    local.flush([]);
    expect(said.at(-1)).toEqual({ busy: [], last: [] });
    expect(said).toHaveLength(4);
  });
});
