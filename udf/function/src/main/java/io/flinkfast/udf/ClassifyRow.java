package io.flinkfast.udf;

import java.time.Instant;

import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.functions.ScalarFunction;
import org.apache.flink.types.Row;

/**
 * classify_row: one Kafka message in, exactly one ROW value out: either a valid event (reason
 * NULL, typed fields) or a dead letter (reason set, fields NULL), with the Kafka timestamp and
 * the processing time in epoch milliseconds, and the message's {@link Fingerprint} (what it is: the
 * database tells a replay from another message at the same position by it). The rules are written down in
 * sql/flink/002_transform.sql and applied by {@link Rules} (the JSON by {@link JsonScanner}); the
 * operator's skip list ({@link SkipList}) comes first. This class only adapts them to Flink.
 *
 * <p>Why a scalar function: the job has two branches (processed rows, dead letters). A
 * non-deterministic scalar call is computed once in a Calc of its own (the planner will not copy
 * a non-deterministic expression into the fields that read it) and that Calc is reused by both
 * branches (tests/flink/test_transform.py checks the plan); a LATERAL TABLE call would run once per
 * branch, since each gets its own correlation variable.
 */
public class ClassifyRow extends ScalarFunction {

    private static final long serialVersionUID = 1L;

    /** Kafka's name of the broker's clock (TimestampType.LOG_APPEND_TIME), as the source's metadata spells it. */
    static final String LOG_APPEND_TIME = "LogAppendTime";

    private transient Rules rules;
    private transient String skipSpec;
    private transient SkipList skips;

    /**
     * @param payload   the message's value (null for a tombstone)
     * @param kafkaTs   the Kafka timestamp (null is out of range, kafka_ts_ms -1)
     * @param maxChars  MAX_EVENT_CHARS (null: no limit)
     * @param partition the message's partition, for the skip list
     * @param offset    the message's offset, for the skip list
     * @param skipList  SKIP_MESSAGES, "PARTITION:OFFSET,..."
     * @param tsType    the record's timestamp type (the source's 'timestamp-type' metadata): an event
     *                  whose timestamp is not LogAppendTime is a dead letter (rule 15)
     */
    public @DataTypeHint("ROW<reason STRING, `uuid` STRING, first_name STRING, last_name STRING, country STRING, "
            + "age INT, kafka_ts_ms BIGINT, flink_ts_ms BIGINT, fingerprint BIGINT>") Row eval(
            byte[] payload, Instant kafkaTs, Integer maxChars, Integer partition, Long offset, String skipList,
            String tsType) {
        if (rules == null) {
            rules = new Rules();
        }
        boolean skipped = partition != null && offset != null && skipList(skipList).contains(partition, offset);
        long flinkTsMs = System.currentTimeMillis();
        long kafkaTsMs = kafkaTs == null ? -1L : kafkaTs.toEpochMilli();
        Outcome o = rules.classify(payload, kafkaTsMs, maxChars == null ? Integer.MAX_VALUE : maxChars, skipped,
                LOG_APPEND_TIME.equals(tsType));
        return Row.of(o.reason(), o.uuid(), o.firstName(), o.lastName(), o.country(), o.age(), kafkaTsMs, flinkTsMs,
                Fingerprint.of(payload, kafkaTsMs));
    }

    /** The list is the same literal on every call: parsed once, again only if it changes. */
    private SkipList skipList(String spec) {
        if (spec == null || spec.isEmpty()) {
            return SkipList.EMPTY;
        }
        if (!spec.equals(skipSpec)) {
            skips = SkipList.parse(spec);
            skipSpec = spec;
        }
        return skips;
    }

    @Override
    public boolean isDeterministic() {
        return false; // flink_ts_ms is the processing time
    }
}
