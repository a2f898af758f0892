package io.flinkfast.udf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.flinkfast.udf.SkipList.Position;

class SkipListTest {

    /** An earlier version packed a position into one long, partition << 48 ^ offset: these collided. */
    @Test
    void positionsAreComparedWhole() {
        SkipList s = SkipList.parse("0:281474976710657,65536:6,2:5");
        assertTrue(s.contains(0, 281_474_976_710_657L));
        assertFalse(s.contains(1, 1), "0:281474976710657 is not 1:1");
        assertTrue(s.contains(65536, 6));
        assertFalse(s.contains(0, 6), "65536:6 is not 0:6");
        assertTrue(s.contains(2, 5));
        assertFalse(s.contains(5, 2));
        assertFalse(s.contains(2, 6));
        assertFalse(s.contains(2, 5L + (1L << 32)));
        assertTrue(SkipList.parse("2147483647:9223372036854775807").contains(Integer.MAX_VALUE, Long.MAX_VALUE));
    }

    @Test
    void nothingIsSkippedWithoutAList() {
        assertSame(SkipList.EMPTY, SkipList.parse(null));
        assertSame(SkipList.EMPTY, SkipList.parse(""));
        assertFalse(SkipList.EMPTY.contains(0, 0));
    }

    @Test
    void spacesAroundNumbersAreAllowed() {
        assertEquals(Set.of(new Position(1, 2), new Position(3, 4)), SkipList.parse(" 1 : 2 ,3:4 ").positions());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a:b", "1", "1:2:3", ":5", "5:", ":", ",", " , ", "1:x", "x:1", "1;2", "1:2 3", "1.0:2",
        "0x1:2", "1:2e3", "2147483648:1", "1:9223372036854775808", "99999999999:1", "1:", "\u00a01:2"})
    void aMalformedItemSkipsNothing(String spec) {
        assertEquals(Set.of(), SkipList.parse(spec).positions(), spec);
    }

    @Test
    void aMalformedItemDoesNotSpoilTheOthers() {
        assertEquals(Set.of(new Position(3, 9), new Position(0, 1)),
                SkipList.parse("x,3:9,1:2:3,,0:1,2147483648:1").positions());
    }

    /**
     * Current behaviour, kept as it was: items flinkfast.config never lets through (it accepts
     * only [0-9]{1,5}:[0-9]{1,18}, comma separated) that Java's String.split, Integer.parseInt
     * and Long.parseLong read leniently. Pinned so that a change here is a decision.
     */
    @Test
    void itemsJavaReadsLeniently() {
        assertEquals(Set.of(new Position(1, 2)), SkipList.parse("1:2:").positions());   // trailing empty part dropped
        assertEquals(Set.of(new Position(1, 2)), SkipList.parse("+1:+2").positions());  // explicit plus signs
        assertEquals(Set.of(new Position(-1, -2)), SkipList.parse("-1:-2").positions()); // no such message exists
        assertEquals(Set.of(new Position(1, 2)), SkipList.parse("\u0661:\u0662").positions()); // other scripts' digits
        assertEquals(Set.of(new Position(1, 2)), SkipList.parse("\t1\u0000:2\u001f").positions()); // trim() takes controls
    }
}
