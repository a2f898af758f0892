package io.flinkfast.sink;

import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.sink.SinkV2Provider;
import org.apache.flink.table.types.logical.LogicalType;

/** The planner's view of the sink: insert-only rows, written by {@link CopySink}. */
final class CopyTableSink implements DynamicTableSink {

    private final CopyOptions options;
    private final String[] columns;
    private final LogicalType[] types;

    CopyTableSink(CopyOptions options, String[] columns, LogicalType[] types) {
        this.options = options;
        this.columns = columns;
        this.types = types;
        for (LogicalType type : types) {
            BinaryCopyEncoder.supported(type);  // refuse a type it cannot write now, not at the first row
        }
    }

    @Override
    public ChangelogMode getChangelogMode(ChangelogMode requestedMode) {
        return ChangelogMode.insertOnly();
    }

    @Override
    public SinkRuntimeProvider getSinkRuntimeProvider(Context context) {
        return SinkV2Provider.of(new CopySink(options, columns, types));
    }

    @Override
    public DynamicTableSink copy() {
        return new CopyTableSink(options, columns, types);
    }

    @Override
    public String asSummaryString() {
        return "flinkfast-postgres (COPY into " + options.table + ")";
    }
}
