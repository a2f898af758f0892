package io.flinkfast.udf;

import java.time.Instant;

import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.functions.ScalarFunction;
import org.apache.flink.types.Row;

/**
 * classify_row: the same classification as {@link ClassifyEvent}, as a scalar function that
 * returns the row as one ROW value.
 *
 * <p>Why both: the job has two branches (processed rows, dead letters). Each LATERAL TABLE call
 * gets its own correlation variable, so the planner cannot share one table-function call
 * between the branches, and every message was classified twice. A non-deterministic scalar
 * call is computed once in a Calc of its own (the planner will not copy a non-deterministic
 * expression into the fields that read it) and that Calc is reused by both branches
 * (tests/test_transform.py checks the plan).
 */
public class ClassifyRow extends ScalarFunction {

    private static final long serialVersionUID = 1L;

    private transient ClassifyEvent classifier;

    public @DataTypeHint("ROW<reason STRING, `uuid` STRING, first_name STRING, last_name STRING, country STRING, "
            + "age INT, kafka_ts_ms BIGINT, flink_ts_ms BIGINT>") Row eval(
            byte[] payload, Instant kafkaTs, Integer maxChars, Integer partition, Long offset, String skipList) {
        if (classifier == null) {
            classifier = new ClassifyEvent();
        }
        return classifier.classify(payload, kafkaTs, maxChars, partition, offset, skipList);
    }

    @Override
    public boolean isDeterministic() {
        return false; // flink_ts_ms is the processing time
    }
}
