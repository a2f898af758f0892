import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Enumeration;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/** Every REST handler specification (MessageHeaders / UntypedResponseMessageHeaders) in a jar: METHOD URL class. */
public class ListRoutes {
    public static void main(String[] args) throws Exception {
        ClassLoader loader = ListRoutes.class.getClassLoader();
        Class<?> spec = Class.forName("org.apache.flink.runtime.rest.handler.RestHandlerSpecification", false, loader);
        TreeSet<String> out = new TreeSet<>();
        try (JarFile jar = new JarFile(args[0])) {
            for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                String name = e.nextElement().getName();
                if (!name.startsWith("org/apache/flink/") || !name.endsWith(".class") || name.contains("/shaded/")) {
                    continue;
                }
                Class<?> c;
                try {
                    c = Class.forName(name.substring(0, name.length() - 6).replace('/', '.'), false, loader);
                } catch (Throwable t) {
                    continue;
                }
                if (!spec.isAssignableFrom(c) || c.isInterface() || Modifier.isAbstract(c.getModifiers())) {
                    continue;
                }
                Object headers = instance(c);
                if (headers == null) {
                    out.add("UNKNOWN ? " + c.getName());
                    continue;
                }
                Object method = spec.getMethod("getHttpMethod").invoke(headers);
                Object url = spec.getMethod("getTargetRestEndpointURL").invoke(headers);
                Object versions = spec.getMethod("getSupportedAPIVersions").invoke(headers);
                out.add(method + " " + url + " " + versions.toString().replace(" ", "") + " " + c.getName());
            }
        }
        out.forEach(System.out::println);
    }

    static Object instance(Class<?> c) {
        try {
            Method m = c.getMethod("getInstance");
            if (Modifier.isStatic(m.getModifiers())) {
                return m.invoke(null);
            }
        } catch (Throwable ignored) {
        }
        for (Field f : c.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && c.isAssignableFrom(f.getType())) {
                try {
                    f.setAccessible(true);
                    return f.get(null);
                } catch (Throwable ignored) {
                }
            }
        }
        try {
            var k = c.getDeclaredConstructor();
            k.setAccessible(true);
            return k.newInstance();
        } catch (Throwable ignored) {
        }
        return null;
    }
}
