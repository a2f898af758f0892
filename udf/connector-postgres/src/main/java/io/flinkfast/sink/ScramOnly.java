package io.flinkfast.sink;

import java.util.Properties;

import org.postgresql.PGProperty;
import org.postgresql.plugin.AuthenticationPlugin;
import org.postgresql.plugin.AuthenticationRequestType;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

/**
 * The sinks' password for pgjdbc, handed over for SCRAM only: what libpq's
 * {@code require_auth=scram-sha-256} does, which pgjdbc 42.7.8 has no option for
 * ({@code channelBinding=require} needs TLS). A server -- or whatever listens on its port while it is
 * down -- that asks for the password in cleartext or as MD5 gets an error and not a byte of it; SCRAM
 * never shows the password to the other end. Named in the sinks' JDBC URLs
 * ({@code authenticationPluginClassName=io.flinkfast.sink.ScramOnly}, sql/flink/003 and 004); the
 * driver makes one per password request, with the connection's properties.
 */
public final class ScramOnly implements AuthenticationPlugin {
    private final String password;

    public ScramOnly(Properties info) {
        this.password = PGProperty.PASSWORD.getOrDefault(info);
    }

    @Override
    public char[] getPassword(AuthenticationRequestType type) throws PSQLException {
        if (type != AuthenticationRequestType.SASL) {
            throw new PSQLException("the server asked for the password as " + type
                    + ": refused, only SCRAM is allowed (a server that is not PostgreSQL may be on its port)",
                    PSQLState.CONNECTION_REJECTED);
        }
        return password == null ? null : password.toCharArray();   // a new array each time: the driver wipes it
    }
}
