"""A run's batches shrink while they hold their locks for long, and grow back (never past the size asked for)."""

from closedstacks.retention.pace import SMALLEST, Pace


def test_a_slow_batch_shrinks_the_next_at_once():
    pace = Pace(5000, target_s=0.25)
    pace.measured(5000, 2.0)  # 2,500 keys a second: a quarter second is 625 keys
    assert pace.size == 625


def test_fast_batches_grow_it_back_gradually_never_past_the_largest():
    pace = Pace(5000, target_s=0.25)
    pace.measured(5000, 2.0)
    sizes = []
    for _ in range(30):
        pace.measured(pace.size, pace.size / 40_000)  # now 40,000 keys a second
        sizes.append(pace.size)
    assert sizes[0] > 625 and sizes[0] < 5000  # a quarter of the way, not all at once
    assert sizes == sorted(sizes) and sizes[-1] == 5000


def test_never_below_the_smallest_nor_above_what_was_asked():
    pace = Pace(5000)
    pace.measured(5000, 500.0)
    assert pace.size == SMALLEST
    tiny = Pace(3)
    tiny.measured(3, 10.0)
    assert tiny.size == 3
    pace.measured(0, 1.0)  # nothing measured: nothing learnt
    assert pace.size == SMALLEST
