// EPUBCheck on many books in one Java process: its command line checks one file per run, and
// starting a JVM per book costs seconds each. syndicate runs this file with Java's source
// launcher: `java -cp epubcheck.jar EpubCheckBatch.java LIST`, where LIST holds one
// "book<TAB>report" per line. Each book is checked exactly as `java -jar epubcheck.jar book
// --quiet --json report` would check it; then "syndicate-epubcheck: N" on stdout tells
// syndicate how many books are done.

import com.adobe.epubcheck.tool.EpubChecker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

public final class EpubCheckBatch {
    public static void main(String[] args) throws Exception {
        List<String> lines = Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8);
        int done = 0;
        for (String line : lines) {
            String[] pair = line.split("\t", 2);
            new EpubChecker().run(new String[] {pair[0], "--quiet", "--json", pair[1]});
            done++;
            System.out.println("syndicate-epubcheck: " + done);
            System.out.flush();
        }
    }
}
