package flinkfast.flinkcheck;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.FlinkSessionJob;
import org.apache.flink.kubernetes.operator.config.FlinkConfigManager;
import org.apache.flink.kubernetes.operator.validation.DefaultValidator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The Flink Kubernetes Operator's admission checks on FlinkDeployments and FlinkSessionJobs, by
 * its own code (operator-src/, release-1.15.0): what its webhook and its reconciler refuse.
 *
 * <p>Reads {"objects": [...]} (JSON) on stdin, writes one result per object on stdout:
 * {"id", "error": DefaultValidator's message or null, "config": the deploy configuration its
 * FlinkConfigBuilder makes (FlinkDeployments only) or null, "configError": why it could not}.
 * The operator's defaults are args[0], a directory with its Helm chart's flink-conf.yaml.
 * Exit 0 whatever the checks find; 2 on unusable input.
 */
public final class Main {

    private Main() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: flinkcheck OPERATOR_CONF_DIR < {\"objects\": [...]}");
            System.exit(2);
        }
        // The operator's own defaults, read as it reads them at start (its conf directory).
        Configuration defaults = GlobalConfiguration.loadConfiguration(args[0]);
        FlinkConfigManager configManager = new FlinkConfigManager(defaults);
        DefaultValidator validator = new DefaultValidator(configManager);
        // How the operator's client (fabric8) reads the resources from the API server.
        KubernetesSerialization serialization = new KubernetesSerialization();
        ObjectMapper json = new ObjectMapper();

        JsonNode input = json.readTree(new String(System.in.readAllBytes(), StandardCharsets.UTF_8));
        List<FlinkDeployment> deployments = new ArrayList<>();
        for (JsonNode obj : input.get("objects")) {
            if ("FlinkDeployment".equals(obj.path("kind").asText())) {
                deployments.add(read(serialization, obj, FlinkDeployment.class));
            }
        }
        ArrayNode out = json.createArrayNode();
        for (JsonNode obj : input.get("objects")) {
            String kind = obj.path("kind").asText();
            ObjectNode result = out.addObject();
            result.put("id", kind + "/" + obj.path("metadata").path("namespace").asText("") + "/"
                    + obj.path("metadata").path("name").asText());
            if ("FlinkDeployment".equals(kind)) {
                FlinkDeployment deployment = read(serialization, obj, FlinkDeployment.class);
                result.put("error", validator.validateDeployment(deployment).orElse(null));
                try {
                    Configuration conf = configManager.getDeployConfig(deployment.getMetadata(), deployment.getSpec());
                    result.set("config", json.valueToTree(new TreeMap<>(conf.toMap())));
                    result.putNull("configError");
                } catch (Exception e) {
                    result.putNull("config");
                    result.put("configError", e.toString());
                }
            } else if ("FlinkSessionJob".equals(kind)) {
                FlinkSessionJob job = read(serialization, obj, FlinkSessionJob.class);
                Optional<FlinkDeployment> session = deployments.stream()
                        .filter(d -> d.getMetadata().getName().equals(job.getSpec().getDeploymentName()))
                        .findFirst();
                result.put("error", validator.validateSessionJob(job, session).orElse(null));
                result.putNull("config");
                result.putNull("configError");
            } else {
                System.err.println("flinkcheck: " + kind + " is neither a FlinkDeployment nor a FlinkSessionJob: "
                        + "pass only those");
                System.exit(2);
            }
        }
        PrintStream stdout = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        stdout.println(json.writeValueAsString(out));
        // FlinkConfigManager starts a (non-daemon) thread that refreshes its defaults: the
        // operator runs for ever; this tool is done.
        System.exit(0);
    }

    /** The resource as the API server would hand it to the operator: created, generation 1. */
    private static <T extends io.fabric8.kubernetes.client.CustomResource<?, ?>> T read(
            KubernetesSerialization serialization, JsonNode obj, Class<T> type) {
        T resource = serialization.unmarshal(obj.toString(), type);
        if (resource.getMetadata().getGeneration() == null) {
            resource.getMetadata().setGeneration(1L);
        }
        return resource;
    }
}
