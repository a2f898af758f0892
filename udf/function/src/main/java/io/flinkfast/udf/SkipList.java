package io.flinkfast.udf;

import java.util.HashSet;
import java.util.Set;

/**
 * The operator's skip list, SKIP_MESSAGES ("PARTITION:OFFSET,..."): a listed message becomes a
 * dead letter whatever it holds (`flinkfast skip`), so a job can be moved past it.
 *
 * <p>Positions are compared whole, as (partition, offset) pairs: no packing of two numbers into
 * one that could collide (0:281474976710657 is not 1:1, 65536:6 is not 0:6). flinkfast.config
 * validates SKIP_MESSAGES; an item that is not PARTITION:OFFSET skips nothing rather than failing
 * the job. Parsing never throws.
 */
final class SkipList {

    static final SkipList EMPTY = new SkipList(Set.of());

    /** A Kafka position. */
    record Position(int partition, long offset) {
    }

    private final Set<Position> positions;

    private SkipList(Set<Position> positions) {
        this.positions = positions;
    }

    /** The positions named by spec; null or empty names none. */
    static SkipList parse(String spec) {
        if (spec == null || spec.isEmpty()) {
            return EMPTY;
        }
        Set<Position> parsed = new HashSet<>();
        for (String item : spec.split(",")) {
            String[] parts = item.trim().split(":");
            try {
                if (parts.length == 2) {
                    parsed.add(new Position(Integer.parseInt(parts[0].trim()), Long.parseLong(parts[1].trim())));
                }
            } catch (RuntimeException malformed) {
                // not PARTITION:OFFSET (or out of range): skips nothing
            }
        }
        return new SkipList(parsed);
    }

    boolean contains(int partition, long offset) {
        return positions.contains(new Position(partition, offset));
    }

    /** The positions, for tests. */
    Set<Position> positions() {
        return Set.copyOf(positions);
    }
}
