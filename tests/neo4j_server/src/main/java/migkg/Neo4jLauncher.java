package migkg;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.ConnectorPortRegister;
import org.neo4j.configuration.connectors.ConnectorType;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.kernel.internal.GraphDatabaseAPI;

/**
 * Neo4j Community for the test suite: one server in this JVM, Bolt on a free
 * loopback port, authentication on.
 *
 * <p>Usage: {@code java -cp ... migkg.Neo4jLauncher HOME [neo4j.conf]}, with the
 * password for user {@code neo4j} in the environment variable
 * {@code MIGKG_NEO4J_TEST_PASSWORD} (never on the command line, where {@code ps}
 * shows it). Once Bolt answers it prints one line, {@code bolt://127.0.0.1:PORT}.
 * It shuts the server down cleanly when its standard input closes, which is also
 * what happens when the process that started it dies: the JVM never outlives it.
 */
public final class Neo4jLauncher {
    private Neo4jLauncher() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: Neo4jLauncher HOME [neo4j.conf]");
            System.exit(2);
        }
        String password = System.getenv("MIGKG_NEO4J_TEST_PASSWORD");
        if (password == null || password.length() < 8) {
            System.err.println("MIGKG_NEO4J_TEST_PASSWORD must hold a password of 8 characters or more");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        Files.createDirectories(home);
        DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(home);
        if (args.length == 2) {
            builder.loadPropertiesFromFile(Path.of(args[1]));
        }
        // These three make it the server the tests expect, whatever the file says.
        builder.setConfig(BoltConnector.enabled, true)
               .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", 0))
               .setConfig(GraphDatabaseSettings.auth_enabled, true)
               // Bolt waits 5 s twice at shutdown for connections a test server never keeps.
               .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofMillis(200))
               .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofMillis(200));
        DatabaseManagementService dbms = builder.build();
        Runtime.getRuntime().addShutdownHook(new Thread(dbms::shutdown, "neo4j-shutdown"));

        dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME).executeTransactionally(
                "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED",
                Map.of("password", password));
        GraphDatabaseAPI db = (GraphDatabaseAPI) dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        var bolt = db.getDependencyResolver()
                     .resolveDependency(ConnectorPortRegister.class)
                     .getLocalAddress(ConnectorType.BOLT);
        System.out.println("bolt://127.0.0.1:" + bolt.getPort());
        System.out.flush();

        while (System.in.read() != -1) {
            // Anything written to us is ignored; end of input means: stop.
        }
        System.exit(0);  // runs the shutdown hook
    }
}
