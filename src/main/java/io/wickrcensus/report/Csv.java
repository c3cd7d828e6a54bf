package io.wickrcensus.report;

import java.io.IOException;
import java.io.Writer;

/** RFC 4180 CSV: fields quoted when they hold a comma, quote or line break; CRLF line ends. */
final class Csv {

    private final Writer out;

    Csv(Writer out) {
        this.out = out;
    }

    /** Writes one record; null fields are empty. */
    Csv row(Object... fields) throws IOException {
        for (int i = 0; i < fields.length; i++) {
            if (i > 0) {
                out.write(',');
            }
            out.write(field(fields[i]));
        }
        out.write("\r\n");
        return this;
    }

    static String field(Object value) {
        if (value == null) {
            return "";
        }
        String s = value.toString();
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}
