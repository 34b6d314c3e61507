// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.locks.InterProcessReadWriteLock;
import org.apache.curator.framework.recipes.locks.InterProcessSemaphoreV2;
import org.apache.curator.framework.recipes.locks.Lease;
import org.apache.curator.retry.RetryNTimes;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.details.JsonInstanceSerializer;
import org.apache.zookeeper.KeeperException;

/**
 * A Curator 5.4 process driven line by line from the .NET interop tests: each command line gets
 * one reply line ("OK ..." or "ERR ..."); things that happen later are "EVENT ..." lines.
 * Curator's locks are owned by threads, so every lock key gets a thread of its own.
 */
public class CuratorInterop {
    private static CuratorFramework client;
    private static final Map<String, ExecutorService> lockThreads = new ConcurrentHashMap<>();
    private static final Map<String, InterProcessMutex> mutexes = new ConcurrentHashMap<>();
    private static final Map<String, Lease> leases = new ConcurrentHashMap<>();
    private static final Map<String, ServiceDiscovery<Object>> discoveries = new ConcurrentHashMap<>();
    private static final Map<String, LeaderLatch> latches = new ConcurrentHashMap<>();

    public static void main(String[] args) throws Exception {
        client = CuratorFrameworkFactory.newClient(args[0], 10000, 10000, new RetryNTimes(20, 100));
        client.start();
        if (!client.blockUntilConnected(60, TimeUnit.SECONDS)) {
            reply("ERR not connected");
            System.exit(2);
        }

        reply("READY " + Long.toHexString(client.getZookeeperClient().getZooKeeper().getSessionId()));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] a = line.trim().split(" ");
            if (a[0].equals("quit")) {
                break;
            }

            try {
                reply(handle(a));
            } catch (Throwable e) {
                reply("ERR " + e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage()).replace('\n', ' '));
            }
        }

        for (ServiceDiscovery<Object> discovery : discoveries.values()) {
            discovery.close();
        }

        for (LeaderLatch latch : latches.values()) {
            latch.close();
        }

        client.close();
        System.exit(0);
    }

    private static synchronized void reply(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private static ExecutorService thread(String key) {
        return lockThreads.computeIfAbsent(key, k -> Executors.newSingleThreadExecutor());
    }

    private static String handle(String[] a) throws Exception {
        switch (a[0]) {
            case "mutex-acquire": {
                // mutex-acquire key path timeoutMs: acquires on the key's thread and answers true or false.
                InterProcessMutex mutex = mutexes.computeIfAbsent(a[1], k -> new InterProcessMutex(client, a[2]));
                long timeout = Long.parseLong(a[3]);
                return "OK " + thread(a[1]).submit(() -> mutex.acquire(timeout, TimeUnit.MILLISECONDS)).get();
            }
            case "mutex-acquire-async": {
                // mutex-acquire-async key path: answers at once; "EVENT acquired key" follows.
                InterProcessMutex mutex = mutexes.computeIfAbsent(a[1], k -> new InterProcessMutex(client, a[2]));
                thread(a[1]).submit(() -> {
                    mutex.acquire();
                    reply("EVENT acquired " + a[1]);
                    return null;
                });
                return "OK";
            }
            case "mutex-release": {
                InterProcessMutex mutex = mutexes.get(a[1]);
                thread(a[1]).submit(() -> {
                    mutex.release();
                    return null;
                }).get();
                return "OK";
            }
            case "mutex-participants": {
                return "OK " + String.join(" ", new InterProcessMutex(client, a[1]).getParticipantNodes());
            }
            case "write-acquire": {
                // write-acquire key path timeoutMs: Curator's InterProcessReadWriteLock write lock.
                InterProcessMutex mutex = mutexes.computeIfAbsent(a[1], k -> new InterProcessReadWriteLock(client, a[2]).writeLock());
                long timeout = Long.parseLong(a[3]);
                return "OK " + thread(a[1]).submit(() -> mutex.acquire(timeout, TimeUnit.MILLISECONDS)).get();
            }
            case "read-acquire": {
                InterProcessMutex mutex = mutexes.computeIfAbsent(a[1], k -> new InterProcessReadWriteLock(client, a[2]).readLock());
                long timeout = Long.parseLong(a[3]);
                return "OK " + thread(a[1]).submit(() -> mutex.acquire(timeout, TimeUnit.MILLISECONDS)).get();
            }
            case "sem-acquire": {
                // sem-acquire key path maxLeases timeoutMs: one InterProcessSemaphoreV2 lease, true or false.
                InterProcessSemaphoreV2 semaphore = new InterProcessSemaphoreV2(client, a[2], Integer.parseInt(a[3]));
                Lease lease = semaphore.acquire(Long.parseLong(a[4]), TimeUnit.MILLISECONDS);
                if (lease != null) {
                    leases.put(a[1], lease);
                }

                return "OK " + (lease != null);
            }
            case "sem-release": {
                leases.remove(a[1]).close();
                return "OK";
            }
            case "tickets":
                return tickets(a[1], a[2], a[3], Integer.parseInt(a[4]), Integer.parseInt(a[5]));
            case "sd-register": {
                // sd-register basePath name id address port key=value...
                Map<String, String> payload = new LinkedHashMap<>();
                for (int i = 6; i < a.length; i++) {
                    String[] kv = a[i].split("=", 2);
                    payload.put(kv[0], kv[1]);
                }

                ServiceInstance<Object> instance = ServiceInstance.builder()
                        .name(a[2]).id(a[3]).address(a[4]).port(Integer.parseInt(a[5])).payload(payload).build();
                discovery(a[1]).registerService(instance);
                return "OK";
            }
            case "sd-unregister": {
                ServiceDiscovery<Object> discovery = discovery(a[1]);
                for (ServiceInstance<Object> instance : discovery.queryForInstances(a[2])) {
                    if (instance.getId().equals(a[3])) {
                        discovery.unregisterService(instance);
                    }
                }

                return "OK";
            }
            case "sd-query": {
                // sd-query basePath name: the instances as Curator's serializer writes them, in a JSON array.
                JsonInstanceSerializer<Object> serializer = new JsonInstanceSerializer<>(Object.class);
                List<String> items = new ArrayList<>();
                for (ServiceInstance<Object> instance : discovery(a[1]).queryForInstances(a[2])) {
                    items.add(new String(serializer.serialize(instance), StandardCharsets.UTF_8) + "");
                }

                return "OK [" + String.join(",", items) + "]";
            }
            case "sd-describe": {
                // sd-describe basePath name: the instances as Java sees them after deserializing.
                List<String> items = new ArrayList<>();
                for (ServiceInstance<Object> instance : discovery(a[1]).queryForInstances(a[2])) {
                    Object payload = instance.getPayload();
                    items.add(instance.getId() + "|" + instance.getAddress() + "|" + instance.getPort() + "|"
                            + instance.getServiceType() + "|" + (payload == null ? "null" : payload.getClass().getName() + ":" + payload));
                }

                return "OK " + String.join(";", items);
            }
            case "latch-start": {
                LeaderLatch latch = new LeaderLatch(client, a[2], a[3]);
                latch.addListener(new LeaderLatchListener() {
                    @Override
                    public void isLeader() {
                        reply("EVENT leader " + a[1] + " true");
                    }

                    @Override
                    public void notLeader() {
                        reply("EVENT leader " + a[1] + " false");
                    }
                });
                latches.put(a[1], latch);
                latch.start();
                return "OK";
            }
            case "latch-close": {
                latches.remove(a[1]).close();
                return "OK";
            }
            default:
                return "ERR unknown command " + a[0];
        }
    }

    private static ServiceDiscovery<Object> discovery(String basePath) throws Exception {
        ServiceDiscovery<Object> discovery = discoveries.get(basePath);
        if (discovery == null) {
            discovery = ServiceDiscoveryBuilder.builder(Object.class).client(client).basePath(basePath).build();
            discovery.start();
            discoveries.put(basePath, discovery);
        }

        return discovery;
    }

    /**
     * The ticket sale: threads sell tickets under one InterProcessMutex until the counter reaches
     * the total. Each sale reads the counter, creates the ticket node and writes the counter back;
     * a ticket node that already exists is a ticket sold twice.
     */
    private static String tickets(String lockPath, String counterPath, String ticketsPath, int threads, int total) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger sold = new AtomicInteger();
        AtomicInteger doubles = new AtomicInteger();
        List<Future<?>> futures = new ArrayList<>();
        InterProcessMutex mutex = new InterProcessMutex(client, lockPath);
        for (int t = 0; t < threads; t++) {
            final int thread = t;
            futures.add(pool.submit(() -> {
                while (true) {
                    mutex.acquire();
                    try {
                        int next = Integer.parseInt(new String(client.getData().forPath(counterPath), StandardCharsets.UTF_8));
                        if (next >= total) {
                            return null;
                        }

                        try {
                            client.create().forPath(ticketsPath + "/" + String.format("%05d", next), ("java-" + thread).getBytes(StandardCharsets.UTF_8));
                        } catch (KeeperException.NodeExistsException e) {
                            doubles.incrementAndGet();
                        }

                        client.setData().forPath(counterPath, String.valueOf(next + 1).getBytes(StandardCharsets.UTF_8));
                        sold.incrementAndGet();
                    } finally {
                        mutex.release();
                    }
                }
            }));
        }

        for (Future<?> future : futures) {
            future.get();
        }

        pool.shutdown();
        return "OK " + sold.get() + " " + doubles.get();
    }
}
