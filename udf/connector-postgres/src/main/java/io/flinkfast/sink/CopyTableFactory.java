package io.flinkfast.sink;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.factories.DynamicTableSinkFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

/**
 * {@code 'connector' = 'flinkfast-postgres'}: a sink that writes each flush into PostgreSQL as one
 * binary COPY in one transaction. Options: {@link CopyOptions}.
 */
public final class CopyTableFactory implements DynamicTableSinkFactory {

    public static final String IDENTIFIER = "flinkfast-postgres";

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(CopyOptions.URL, CopyOptions.TABLE_NAME, CopyOptions.MAX_ROWS, CopyOptions.INTERVAL,
                CopyOptions.MAX_RETRIES);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of(CopyOptions.USERNAME, CopyOptions.PASSWORD, CopyOptions.IDLE);
    }

    @Override
    public DynamicTableSink createDynamicTableSink(Context context) {
        FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
        helper.validate();
        ReadableConfig o = helper.getOptions();
        if (o.get(CopyOptions.MAX_ROWS) < 1) {
            throw new IllegalArgumentException("sink.buffer-flush.max-rows must be at least 1");
        }
        if (o.get(CopyOptions.MAX_RETRIES) < 0) {
            throw new IllegalArgumentException("sink.max-retries must be 0 or more");
        }
        Duration idle = idle(o, context.getConfiguration());
        CopyOptions options = new CopyOptions(o.get(CopyOptions.URL), o.get(CopyOptions.TABLE_NAME),
                o.getOptional(CopyOptions.USERNAME).orElse(null), o.getOptional(CopyOptions.PASSWORD).orElse(null),
                o.get(CopyOptions.MAX_ROWS), o.get(CopyOptions.INTERVAL), idle, o.get(CopyOptions.MAX_RETRIES));
        RowType row = (RowType) context.getPhysicalRowDataType().getLogicalType();
        List<String> names = row.getFieldNames();
        LogicalType[] types = row.getChildren().toArray(new LogicalType[0]);
        return new CopyTableSink(options, names.toArray(new String[0]), types);
    }

    /**
     * The idle flush: the table's option, else the job's setting (SINK_FLUSH_IDLE_MS, which a
     * jdbc-mode table could not carry as an option); no default of its own.
     */
    static Duration idle(ReadableConfig table, ReadableConfig job) {
        return table.getOptional(CopyOptions.IDLE)
                .or(() -> job.getOptional(CopyOptions.JOB_IDLE))
                .orElseThrow(() -> new IllegalArgumentException("the flinkfast-postgres sink has no idle flush interval: "
                        + "set the table's sink.buffer-flush.idle or the job's flinkfast.sink.flush-idle "
                        + "(flinkfast/pipeline/job.py sets it from SINK_FLUSH_IDLE_MS)"));
    }
}
