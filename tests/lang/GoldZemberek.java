// Turkish morph segmentations from Zemberek 2 (apt libzemberek-tr-java):
//   java -cp /usr/share/java/zemberek.jar:/usr/share/java/zemberek-tr.jar GoldZemberek.java < words > tr-zemberek.tsv
// Each input word (one a line) is split by Zemberek's kelimeAyristir (root and
// suffixes as surface strings); the first split whose parts spell the word is
// written as word<TAB>root|suffix|suffix.  Words it cannot analyse are left out.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import net.zemberek.erisim.Zemberek;
import net.zemberek.tr.yapi.TurkiyeTurkcesi;

public class GoldZemberek {
    public static void main(String[] args) throws Exception {
        LogManager.getLogManager().reset();
        Logger.getLogger("").setLevel(Level.OFF);
        Zemberek z = new Zemberek(new TurkiyeTurkcesi());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(System.out, false, "UTF-8");
        out.println("# Turkish root|suffix segmentations from Zemberek 2.1 kelimeAyristir");
        String w;
        while ((w = in.readLine()) != null) {
            w = w.trim();
            if (w.isEmpty()) continue;
            List<String[]> splits = z.kelimeAyristir(w);
            if (splits == null) continue;
            for (String[] parts : splits) {
                if (String.join("", parts).equals(w)) {
                    out.println(w + "\t" + String.join("|", parts));
                    break;
                }
            }
        }
        out.flush();
    }
}
