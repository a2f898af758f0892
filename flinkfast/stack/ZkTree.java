// ZooKeeper's top level for the local stack, run by flinkfast/stack/zktree.py as ZooKeeper's super
// user (java's single-file source launcher, with the Kafka distribution's jars on the class path).
//
//   java -cp <kafka jars>/* ZkTree.java HOST:PORT SUPER PATH=USER[+r] ...
//
// 1. Every child of / must be zookeeper or the top of a PATH; otherwise it prints `stray /x` and
//    changes nothing (a tree made before Kafka's chroot, or by someone else).
// 2. Closes / (and /zookeeper, /zookeeper/quota) to SUPER: no login may create or delete there;
//    the first time, it also writes /'s data, whose mzxid then says when / was closed.
// 3. Creates each missing PATH with USER's ACL only (sasl:USER:cdrwa). One that exists must have
//    exactly that ACL, have been made after / was closed (so by this program: a login could make
//    it, with any ACL or as a container that ZooKeeper later deletes, only while / was open), and
//    every znode under it entries for USER only (and world:anyone:r with +r, what Kafka's
//    zookeeper.set.acl gives); otherwise it prints `foreign PATH ACL a,b` or
//    `foreign PATH made before / was closed`.
// Exit 0: all is well; 3: the problems are on stdout; 2: no login within 30 s.
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooDefs.Perms;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;

public class ZkTree {
    static final int MAX_PROBLEMS = 5;
    static final byte[] CLOSED = "closed by flinkfast".getBytes(StandardCharsets.UTF_8);
    static long closedAt;

    public static void main(String[] args) throws Exception {
        ZooKeeper zk = login(args[0]);
        List<ACL> closed = only(args[1]);
        Map<String, String> owners = new LinkedHashMap<>();   // parents first
        for (int i = 2; i < args.length; i++) {
            String[] pathUser = args[i].split("=", 2);
            owners.put(pathUser[0], pathUser[1]);
        }
        List<String> problems = strays(zk, owners);
        if (problems.isEmpty()) {
            for (String path : List.of("/", "/zookeeper", "/zookeeper/quota")) {
                zk.setACL(path, closed, -1);
            }
            problems = strays(zk, owners);   // one made before / was closed
        }
        // When / was closed, the first time: its data written then (its mzxid). Everything this
        // program makes comes after; what a login made while / was still open comes before.
        Stat root = new Stat();
        if (problems.isEmpty() && !Arrays.equals(zk.getData("/", false, root), CLOSED)) {
            root = zk.setData("/", CLOSED, -1);
        }
        closedAt = root.getMzxid();
        for (Map.Entry<String, String> owner : owners.entrySet()) {
            if (problems.isEmpty()) {
                problems.addAll(own(zk, owner.getKey(), owner.getValue()));
            }
        }
        problems.stream().limit(MAX_PROBLEMS).forEach(System.out::println);
        zk.close();
        System.exit(problems.isEmpty() ? 0 : 3);
    }

    static ZooKeeper login(String connect) throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        KeeperState[] state = {null};
        ZooKeeper zk = new ZooKeeper(connect, 15000, event -> {
            if (event.getState() == KeeperState.SaslAuthenticated || event.getState() == KeeperState.AuthFailed) {
                state[0] = event.getState();
                done.countDown();
            }
        });
        if (!done.await(30, TimeUnit.SECONDS) || state[0] != KeeperState.SaslAuthenticated) {
            System.out.println("login " + (state[0] == null ? "timed out" : "failed"));
            System.exit(2);
        }
        return zk;
    }

    static List<ACL> only(String user) {
        return new ArrayList<>(List.of(new ACL(Perms.ALL, new Id("sasl", user))));   // ZooKeeper's checks want a mutable list
    }

    static List<String> strays(ZooKeeper zk, Map<String, String> owners) throws Exception {
        List<String> out = new ArrayList<>();
        for (String child : zk.getChildren("/", false)) {
            if (!child.equals("zookeeper") && !owners.containsKey("/" + child)) {
                out.add("stray /" + child);
            }
        }
        return out;
    }

    static List<String> own(ZooKeeper zk, String path, String spec) throws Exception {
        String user = spec.replace("+r", "");
        if (zk.exists(path, false) == null) {
            zk.create(path, new byte[0], only(user), CreateMode.PERSISTENT);
            return List.of();
        }
        List<String> out = new ArrayList<>();
        Stat stat = new Stat();
        List<ACL> acl = zk.getACL(path, stat);
        if (!acl.equals(only(user))) {
            out.add("foreign " + path + " ACL " + show(acl));
        } else if (stat.getCzxid() < closedAt) {   // by a login, in the seconds the root was open
            out.add("foreign " + path + " made before / was closed");
        }
        walk(zk, path, user, spec.endsWith("+r"), out);
        return out;
    }

    static void walk(ZooKeeper zk, String path, String user, boolean worldReads, List<String> out) throws Exception {
        for (String child : zk.getChildren(path, false)) {
            if (out.size() >= MAX_PROBLEMS) {
                return;
            }
            String node = path + "/" + child;
            List<ACL> acl;
            try {
                acl = zk.getACL(node, null);
            } catch (KeeperException.NoNodeException gone) {   // an ephemeral one, just deleted
                continue;
            }
            for (ACL entry : acl) {
                Id id = entry.getId();
                boolean owners = id.getScheme().equals("sasl") && id.getId().equals(user);
                boolean reads = worldReads && id.getScheme().equals("world") && entry.getPerms() == Perms.READ;
                if (!owners && !reads) {
                    out.add("foreign " + node + " ACL " + show(acl));
                    break;
                }
            }
            try {
                walk(zk, node, user, worldReads, out);
            } catch (KeeperException.NoNodeException gone) {
                continue;
            }
        }
    }

    static String show(List<ACL> acl) {
        return acl.stream().map(a -> a.getId().getScheme() + ":" + a.getId().getId() + ":" + perms(a.getPerms()))
                .collect(Collectors.joining(","));
    }

    static String perms(int p) {
        String s = "";
        s += (p & Perms.CREATE) != 0 ? "c" : "";
        s += (p & Perms.DELETE) != 0 ? "d" : "";
        s += (p & Perms.READ) != 0 ? "r" : "";
        s += (p & Perms.WRITE) != 0 ? "w" : "";
        s += (p & Perms.ADMIN) != 0 ? "a" : "";
        return s;
    }
}
