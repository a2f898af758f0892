package io.flinkfast.udf;

import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * A message's fingerprint: what it is, not where it is. 64 bits from two checksums of different
 * polynomials over the same bytes: CRC32C in the high half, CRC32 in the low half (both are
 * intrinsics of the JVM). The bytes: the Kafka timestamp (8 bytes, big-endian, -1 when the record
 * had none), one byte saying whether the record has a value (0: a tombstone, 1: a value, so a
 * tombstone and an empty value differ), then the value. flinkfast/events/fingerprint.py computes the same
 * in Python (reconcile --deep, new-generation); tests/data/classification_cases.json pins both.
 *
 * <p>Not a defence against a producer crafting collisions: it tells a message from the one another
 * generation of the topic (or a rewound log) wrote at the same position. Two different messages at
 * one position share a fingerprint with a chance of about 2^-64.
 */
final class Fingerprint {

    private Fingerprint() {
    }

    static long of(byte[] payload, long kafkaTsMs) {
        byte[] head = new byte[9];
        for (int i = 0; i < 8; i++) {
            head[i] = (byte) (kafkaTsMs >>> (56 - 8 * i));
        }
        head[8] = (byte) (payload == null ? 0 : 1);
        CRC32C high = new CRC32C();
        CRC32 low = new CRC32();
        high.update(head);
        low.update(head);
        if (payload != null) {
            high.update(payload);
            low.update(payload);
        }
        return (high.getValue() << 32) | low.getValue();
    }
}
