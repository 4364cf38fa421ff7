// The Java client's reading of client.properties files, for test/integration/kafka/client-properties-oracle.test.ts:
// each file loaded as Kafka's tools load it (Utils.loadProps: java.util.Properties over the file's bytes), every
// setting the producer defines parsed as its ConfigDef parses it (trimmed, lists split), and sasl.jaas.config read by
// the client's own JaasContext. Prints one JSON line per file. Run as a source file against Kafka's jars:
//   java -cp 'LIBS/*' test/oracles/ClientConfigOracle.java FILE...
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.JaasContext;
import org.apache.kafka.common.utils.Utils;

public class ClientConfigOracle {
    public static void main(String[] files) {
        for (String file : files) System.out.println(read(file));
    }

    static String read(String file) {
        Properties props;
        try {
            props = Utils.loadProps(file);
        } catch (Exception e) {
            return "{\"file\":" + json(file) + ",\"error\":" + json(String.valueOf(e.getMessage())) + "}";
        }
        StringBuilder raw = new StringBuilder();
        StringBuilder typed = new StringBuilder();
        Map<String, ConfigDef.ConfigKey> keys = ProducerConfig.configDef().configKeys();
        for (String key : props.stringPropertyNames()) {
            String value = props.getProperty(key);
            raw.append(raw.length() == 0 ? "" : ",").append(json(key)).append(':').append(json(value));
            ConfigDef.ConfigKey def = keys.get(key);
            if (def == null) continue;
            String parsed;
            try {
                parsed = jsonValue(ConfigDef.parseType(key, value, def.type));
            } catch (Exception e) {
                parsed = "{\"error\":" + json(String.valueOf(e.getMessage())) + "}";
            }
            typed.append(typed.length() == 0 ? "" : ",").append(json(key)).append(':').append(parsed);
        }
        return "{\"file\":" + json(file) + ",\"raw\":{" + raw + "},\"typed\":{" + typed + "},\"jaas\":" + jaas(props) + "}";
    }

    static String jaas(Properties props) {
        String value = props.getProperty("sasl.jaas.config");
        if (value == null) return "null";
        try {
            JaasContext context = JaasContext.loadClientContext(Map.of("sasl.jaas.config", new Password(value.trim())));
            AppConfigurationEntry entry = context.configurationEntries().get(0);
            StringBuilder options = new StringBuilder();
            for (Map.Entry<String, ?> o : entry.getOptions().entrySet())
                options.append(options.length() == 0 ? "" : ",").append(json(String.valueOf(o.getKey()))).append(':')
                    .append(json(String.valueOf(o.getValue())));
            String flag = entry.getControlFlag().toString().replaceFirst("^.*: ", "");
            return "{\"module\":" + json(entry.getLoginModuleName()) + ",\"flag\":" + json(flag) + ",\"options\":{"
                + options + "}}";
        } catch (Exception e) {
            return "{\"error\":" + json(String.valueOf(e.getMessage())) + "}";
        }
    }

    static String jsonValue(Object v) {
        if (v instanceof Password) return json(((Password) v).value());
        if (v instanceof List) {
            StringBuilder out = new StringBuilder("[");
            for (Object item : (List<?>) v) out.append(out.length() == 1 ? "" : ",").append(json(String.valueOf(item)));
            return out.append(']').toString();
        }
        return json(String.valueOf(v));
    }

    static String json(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') out.append('\\').append(c);
            else if (c < 0x20 || c > 0x7e) out.append(String.format("\\u%04x", (int) c));
            else out.append(c);
        }
        return out.append('"').toString();
    }
}
