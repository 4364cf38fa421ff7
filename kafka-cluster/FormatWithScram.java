// Formats a KRaft node's storage with SCRAM users whose passwords are read from files, so they never appear on a
// command line (Kafka's StorageTool takes --add-scram only as an argument, and the java launcher does not expand
// @argfiles after the main class). Run in source-file mode with the Kafka jars on the class path:
//   java -cp 'libs/*' FormatWithScram.java PASSWORD-FILE USER [PASSWORD-FILE USER]... -- storage-format-args...
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

public class FormatWithScram {
  public static void main(String[] args) throws Exception {
    int end = Arrays.asList(args).indexOf("--");
    if (end < 2 || end % 2 != 0) throw new IllegalArgumentException("usage: PASSWORD-FILE USER [...] -- format-args");
    List<String> format = new ArrayList<>(Arrays.asList(args).subList(end + 1, args.length));
    for (int i = 0; i < end; i += 2) {
      String password = Files.readString(Path.of(args[i])).trim();
      format.add("--add-scram");
      format.add("SCRAM-SHA-512=[name=" + args[i + 1] + ",password=" + password + "]");
    }
    kafka.tools.StorageTool.main(format.toArray(new String[0]));
  }
}
