package io.flinkfast.sink;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.LogicalType;

/** A Sink V2 whose writers COPY each flush into PostgreSQL (see {@link CopyWriter}). */
final class CopySink implements Sink<RowData> {

    private static final long serialVersionUID = 1L;

    private final CopyOptions options;
    private final String[] columns;
    private final LogicalType[] types;

    CopySink(CopyOptions options, String[] columns, LogicalType[] types) {
        this.options = options;
        this.columns = columns;
        this.types = types;
    }

    @Override
    public SinkWriter<RowData> createWriter(WriterInitContext context) throws java.io.IOException {
        return new CopyWriter(options, columns, types, context.getProcessingTimeService());
    }
}
