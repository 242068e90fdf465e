"""What a process remembers between requests: kept for a while, forgotten on a change."""

from __future__ import annotations

from grassroots.memo import Memo, forget_all


def test_a_memo_reads_once_then_again_after_its_time():
    reads = []
    now = [0.0]
    memo: Memo[int] = Memo("test", seconds=60, clock=lambda: now[0])

    def read() -> int:
        reads.append(1)
        return len(reads)

    assert [memo.get("k", read) for _ in range(3)] == [1, 1, 1]
    now[0] = 59
    assert memo.get("k", read) == 1
    now[0] = 61
    assert memo.get("k", read) == 2
    memo.forget()
    assert memo.get("k", read) == 3
    forget_all()
    assert memo.get("k", read) == 4


def test_a_memo_holds_at_most_its_size():
    memo: Memo[str] = Memo("test", size=3)
    for key in "abcdefg":
        memo.get(key, key.upper)
    assert len(memo._values) <= 3
    assert memo.get("g", "again".upper) == "G"


def test_many_keys_are_read_together_and_only_those_not_kept():
    asked: list[set[object]] = []
    now = [0.0]
    memo: Memo[str | None] = Memo("test", seconds=60, clock=lambda: now[0])

    def read(missing: set[object]) -> dict[object, str | None]:
        asked.append(set(missing))
        return {key: None if key == "gone" else str(key).upper() for key in missing}

    assert memo.get_many(["a", "b", "gone"], read) == {"a": "A", "b": "B", "gone": None}
    assert memo.get_many(["b", "c"], read) == {"b": "B", "c": "C"}
    assert memo.get("gone", lambda: "read again") is None  # a key with nothing is kept too
    now[0] = 61
    assert memo.get_many(["a"], read) == {"a": "A"}
    assert asked == [{"a", "b", "gone"}, {"c"}, {"a"}]
