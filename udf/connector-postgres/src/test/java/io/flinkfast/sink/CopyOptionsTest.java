package io.flinkfast.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/**
 * One default per option, and it is flinkfast/config.py's: the connector declares none of its own,
 * so a sink table must name every flush and retry option (the job's sql/flink/003 and 004 do, from
 * the settings), and the idle flush comes from the table or the job's configuration.
 */
class CopyOptionsTest {

    private static List<ConfigOption<?>> declared() throws IllegalAccessException {
        List<ConfigOption<?>> out = new ArrayList<>();
        for (Field f : CopyOptions.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == ConfigOption.class) {
                out.add((ConfigOption<?>) f.get(null));
            }
        }
        return out;
    }

    @Test
    void noOptionHasADefaultOfItsOwn() throws IllegalAccessException {
        List<ConfigOption<?>> options = declared();
        assertEquals(9, options.size(), "every option of CopyOptions is looked at");
        for (ConfigOption<?> option : options) {
            assertFalse(option.hasDefaultValue(), option.key() + " has a default: flinkfast/config.py holds it");
        }
    }

    @Test
    void theFlushAndRetryOptionsAreRequired() {
        CopyTableFactory factory = new CopyTableFactory();
        assertEquals(Set.of(CopyOptions.URL, CopyOptions.TABLE_NAME, CopyOptions.MAX_ROWS, CopyOptions.INTERVAL,
                CopyOptions.MAX_RETRIES), factory.requiredOptions());
        assertEquals(Set.of(CopyOptions.USERNAME, CopyOptions.PASSWORD, CopyOptions.IDLE), factory.optionalOptions());
    }

    @Test
    void theIdleFlushIsTheTablesElseTheJobsElseRefused() {
        Configuration table = new Configuration();
        Configuration job = new Configuration();
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> CopyTableFactory.idle(table, job));
        assertTrue(none.getMessage().contains("flinkfast.sink.flush-idle"), none.getMessage());
        job.set(CopyOptions.JOB_IDLE, Duration.ofMillis(7));
        assertEquals(Duration.ofMillis(7), CopyTableFactory.idle(table, job));
        table.set(CopyOptions.IDLE, Duration.ofMillis(9));
        assertEquals(Duration.ofMillis(9), CopyTableFactory.idle(table, job));
    }
}
