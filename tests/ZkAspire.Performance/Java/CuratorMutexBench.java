// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.KeeperException;

/**
 * The Curator arm of the side-by-side run's mutex comparison (docs/performance.md): the shape of
 * "zkaspire bench -w mutex" with Curator 5.4's InterProcessMutex (Debian's jars). N sessions
 * (CuratorFramework clients, session i on server i mod count, as the bench spreads them) times K
 * contender threads each, every thread with its own InterProcessMutex on a lock path shared by all
 * (thread j on lock j mod locks); a closed loop of acquire and release. The latency is the time to
 * acquire; an acquisition counts when it starts and ends inside the measured window. Retries are
 * off (as in the bench): each failure is counted by kind. Prints one JSON line in the bench's shape.
 *
 * Usage: java -cp CLASSPATH CuratorMutexBench.java connectString clients inflight locks warmupMs durationMs path label
 */
public class CuratorMutexBench {
    private static volatile boolean open;
    private static volatile boolean stop;

    public static void main(String[] args) throws Exception {
        String connect = args[0];
        int clients = Integer.parseInt(args[1]);
        int inflight = Integer.parseInt(args[2]);
        int locks = Integer.parseInt(args[3]);
        long warmupMs = Long.parseLong(args[4]);
        long durationMs = Long.parseLong(args[5]);
        String path = args[6];
        String label = args[7];

        String chroot = connect.contains("/") ? connect.substring(connect.indexOf('/')) : "";
        String[] hosts = (chroot.isEmpty() ? connect : connect.substring(0, connect.indexOf('/'))).split(",");
        List<CuratorFramework> sessions = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            // No data in the lock nodes, as the bench's client (Curator's default is the local address).
            CuratorFramework client = CuratorFrameworkFactory.builder()
                .connectString(hosts[i % hosts.length] + chroot)
                .sessionTimeoutMs(30000)
                .connectionTimeoutMs(15000)
                .retryPolicy(new RetryNTimes(0, 0))
                .defaultData(new byte[0])
                .build();
            client.start();
            sessions.add(client);
        }

        for (CuratorFramework client : sessions) {
            if (!client.blockUntilConnected(30, TimeUnit.SECONDS)) {
                System.err.println("CuratorMutexBench: cannot connect to " + connect);
                System.exit(1);
            }
        }

        String directory = path + "/mutex-curator-" + Long.toHexString(System.nanoTime());
        List<Contender> contenders = new ArrayList<>();
        for (int k = 0; k < inflight; k++) {
            for (int c = 0; c < clients; c++) {
                int index = contenders.size();
                contenders.add(new Contender(new InterProcessMutex(sessions.get(c), directory + "/l" + (index % locks))));
            }
        }

        for (Contender contender : contenders) {
            contender.thread.start();
        }

        Thread.sleep(warmupMs);
        open = true;
        long windowStart = System.nanoTime();
        Thread.sleep(durationMs);
        open = false;
        double seconds = (System.nanoTime() - windowStart) / 1e9;
        stop = true;
        for (Contender contender : contenders) {
            // A waiting acquire() gives up on interrupt and deletes its node.
            contender.thread.interrupt();
        }

        for (Contender contender : contenders) {
            contender.thread.join(30000);
        }

        long[] all = new long[contenders.stream().mapToInt(c -> c.count).sum()];
        int n = 0;
        long errors = 0;
        Map<String, Long> errorsByKind = new TreeMap<>();
        for (Contender contender : contenders) {
            System.arraycopy(contender.latencies, 0, all, n, contender.count);
            n += contender.count;
            errors += contender.errors;
            contender.errorsByKind.forEach((kind, count) -> errorsByKind.merge(kind, count, Long::sum));
        }

        Arrays.sort(all);
        try {
            sessions.get(0).delete().deletingChildrenIfNeeded().forPath(directory);
        } catch (KeeperException.NoNodeException e) {
            // Nothing was made.
        } catch (Exception e) {
            System.err.println("CuratorMutexBench: cleanup failed: " + e);
        }

        for (CuratorFramework client : sessions) {
            client.close();
        }

        StringBuilder json = new StringBuilder();
        json.append("{\"workload\":\"mutex\",\"label\":\"").append(label).append("\",\"server\":\"").append(connect)
            .append("\",\"implementation\":\"Curator 5.4 InterProcessMutex\",\"clients\":").append(clients)
            .append(",\"inflight\":").append(inflight).append(",\"payload\":0,\"locks\":").append(locks)
            .append(",\"seconds\":").append(round(seconds, 1000)).append(",\"ops\":").append(all.length)
            .append(",\"opsPerSec\":").append(round(all.length / seconds, 10)).append(",\"errors\":").append(errors)
            .append(",\"errorsByKind\":{");
        boolean first = true;
        for (Map.Entry<String, Long> e : errorsByKind.entrySet()) {
            json.append(first ? "" : ",").append('"').append(e.getKey()).append("\":").append(e.getValue());
            first = false;
        }

        double mean = all.length == 0 ? 0 : Arrays.stream(all).average().orElse(0);
        json.append("},\"latencyUs\":{\"min\":").append(us(all.length == 0 ? 0 : all[0]))
            .append(",\"mean\":").append(round(mean / 1000.0, 10))
            .append(",\"p50\":").append(us(percentile(all, 50)))
            .append(",\"p90\":").append(us(percentile(all, 90)))
            .append(",\"p99\":").append(us(percentile(all, 99)))
            .append(",\"p999\":").append(us(percentile(all, 99.9)))
            .append(",\"max\":").append(us(all.length == 0 ? 0 : all[all.length - 1])).append("}}");
        System.out.write((json + "\n").getBytes(StandardCharsets.UTF_8));
        System.out.flush();
        System.exit(0);
    }

    private static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }

        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static double us(long nanoseconds) {
        return round(nanoseconds / 1000.0, 10);
    }

    private static double round(double value, int scale) {
        return Math.round(value * scale) / (double) scale;
    }

    /** One contender: a thread (Curator's mutex is owned by threads) with its own mutex and counters. */
    private static final class Contender {
        final InterProcessMutex mutex;
        final Thread thread;
        final Map<String, Long> errorsByKind = new TreeMap<>();
        long[] latencies = new long[1024];
        int count;
        long errors;

        Contender(InterProcessMutex mutex) {
            this.mutex = mutex;
            this.thread = new Thread(this::run);
            this.thread.setDaemon(true);
        }

        private void run() {
            while (!stop) {
                boolean measured = open;
                long start = System.nanoTime();
                try {
                    mutex.acquire();
                    long acquired = System.nanoTime() - start;
                    mutex.release();
                    if (measured && open) {
                        if (count == latencies.length) {
                            latencies = Arrays.copyOf(latencies, count * 2);
                        }

                        latencies[count++] = acquired;
                    }
                } catch (Exception e) {
                    if (stop) {
                        return;
                    }

                    if (measured) {
                        errors++;
                        String kind = e instanceof KeeperException ? ((KeeperException) e).code().name() : e.getClass().getSimpleName();
                        errorsByKind.merge(kind, 1L, Long::sum);
                    }

                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException interrupted) {
                        return;
                    }
                }
            }
        }
    }
}
