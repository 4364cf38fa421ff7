// Formats a KRaft node's storage with a SCRAM user whose password is read from a file, so it never appears on a
// command line (Kafka's StorageTool takes --add-scram only as an argument, and the java launcher does not expand
// @argfiles after the main class). Run in source-file mode with the Kafka jars on the class path:
//   java -cp 'libs/*' FormatWithScram.java PASSWORD-FILE USER storage-format-args...
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

public class FormatWithScram {
  public static void main(String[] args) throws Exception {
    String password = Files.readString(Path.of(args[0])).trim();
    List<String> format = new ArrayList<>(Arrays.asList(args).subList(2, args.length));
    format.add("--add-scram");
    format.add("SCRAM-SHA-512=[name=" + args[1] + ",password=" + password + "]");
    kafka.tools.StorageTool.main(format.toArray(new String[0]));
  }
}
