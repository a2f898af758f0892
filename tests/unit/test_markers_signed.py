"""A range written down as "held only transaction markers" (flinkfast/topics/markers.py) is
honoured only with the operator's signature: the job's Kafka principal may commit to the side
group, so a forged range would otherwise make a later real loss inside it silent."""
from __future__ import annotations

from flinkfast.topics import markers

KEY, TOPIC, TID = "admin-secret", "RandomUser", "Zm9vYmFy"


def test_a_range_the_operator_wrote_down_is_honoured():
    text = markers.metadata(KEY, TOPIC, TID, 2, 10, 13)
    assert markers.parse(KEY, TOPIC, TID, 2, 13, text) == (10, 13)


def test_a_forged_or_altered_range_is_not():
    good = markers.metadata(KEY, TOPIC, TID, 2, 10, 13)
    assert markers.parse(KEY, TOPIC, TID, 2, 13, f"{TID} 10") is None                 # unsigned (the old form)
    assert markers.parse(KEY, TOPIC, TID, 2, 13, f"{TID} 10 {'0' * 64}") is None      # a made-up signature
    assert markers.parse(KEY, TOPIC, TID, 2, 13, good.replace(" 10 ", " 0 ")) is None # the start moved back
    assert markers.parse(KEY, TOPIC, TID, 2, 500, good) is None                        # committed further on
    assert markers.parse(KEY, TOPIC, TID, 3, 13, good) is None                         # another partition
    assert markers.parse(KEY, TOPIC, "bmV3LWlk", 2, 13, good) is None                  # another generation
    assert markers.parse("another-key", TOPIC, TID, 2, 13, good) is None
