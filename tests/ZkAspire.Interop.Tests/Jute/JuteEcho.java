// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.util.HexFormat;
import org.apache.jute.BinaryInputArchive;
import org.apache.jute.BinaryOutputArchive;
import org.apache.jute.Record;

/**
 * Reads "<record class> <hex>" lines, decodes each with ZooKeeper's own jute classes and encodes
 * the result again: prints "OK <hex> <unread byte count>" or "ERROR <exception>" per line.
 */
public class JuteEcho {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        String line;
        while ((line = in.readLine()) != null) {
            String[] parts = line.split(" ", 2);
            try {
                Record record = (Record) Class.forName(parts[0]).getDeclaredConstructor().newInstance();
                byte[] bytes = HexFormat.of().parseHex(parts.length > 1 ? parts[1] : "");
                ByteArrayInputStream input = new ByteArrayInputStream(bytes);
                record.deserialize(BinaryInputArchive.getArchive(input), "record");
                ByteArrayOutputStream output = new ByteArrayOutputStream();
                record.serialize(BinaryOutputArchive.getArchive(output), "record");
                System.out.println("OK " + HexFormat.of().formatHex(output.toByteArray()) + " " + input.available());
            } catch (Throwable t) {
                System.out.println("ERROR " + t.toString().replace('\n', ' '));
            }
        }
    }
}
