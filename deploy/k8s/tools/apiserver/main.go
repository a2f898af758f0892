// apiserver runs a real kube-apiserver (Kubernetes v1.34.2) over an in-process etcd, on loopback only,
// so that the tests can send every manifest through `kubectl apply --server-side --dry-run=server`, and
// ask as the manifests' ServiceAccounts (kubectl --as) what RBAC and the admission policies allow.
// Usage: apiserver DIR. It writes DIR/kubeconfig, prints "ready" once /readyz answers, and stops on SIGTERM.
package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	if len(os.Args) != 2 {
		fail("usage: apiserver DIR (a folder for etcd's data, the certificates and the kubeconfig)")
	}
	dir, err := filepath.Abs(os.Args[1])
	check(err, "cannot resolve the folder")
	check(os.MkdirAll(dir, 0o700), "cannot create the folder")

	etcdURL := startEtcd(filepath.Join(dir, "etcd"))
	port := freePort()
	token := randomHex()
	check(os.WriteFile(filepath.Join(dir, "tokens.csv"), []byte(token+",admin,admin,system:masters\n"), 0o600), "cannot write the token file")
	saKey := filepath.Join(dir, "service-account.pem")
	check(os.WriteFile(saKey, rsaKeyPEM(), 0o600), "cannot write the service-account key")
	server := fmt.Sprintf("https://127.0.0.1:%d", port)
	check(os.WriteFile(filepath.Join(dir, "kubeconfig"), []byte(kubeconfig(server, token)), 0o600), "cannot write the kubeconfig")

	go announceReady(server, token)
	cmd := app.NewAPIServerCommand()
	cmd.SetArgs([]string{
		"--etcd-servers=" + etcdURL,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", port),
		"--cert-dir=" + filepath.Join(dir, "certs"),
		"--token-auth-file=" + filepath.Join(dir, "tokens.csv"),
		// RBAC, as a cluster authorizes: the admin (system:masters) may do anything, impersonation
		// included, and the manifests' Roles decide what their ServiceAccounts may do
		// (tests/deploy/test_deploy_admission.py asks as those accounts).
		"--authorization-mode=RBAC",
		"--service-account-issuer=https://kubernetes.default.svc",
		"--service-account-key-file=" + saKey,
		"--service-account-signing-key-file=" + saKey,
		"--service-cluster-ip-range=10.0.0.0/24",
		"--endpoint-reconciler-type=none",
		"--enable-priority-and-fairness=false",
	})
	check(cmd.Execute(), "kube-apiserver stopped")
}

// startEtcd starts a one-member etcd on two free loopback ports and returns its client URL.
func startEtcd(dataDir string) string {
	cfg := embed.NewConfig()
	cfg.Dir = dataDir
	cfg.LogLevel = "error"
	client := url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", freePort())}
	peer := url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", freePort())}
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{client}, []url.URL{client}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{peer}, []url.URL{peer}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	e, err := embed.StartEtcd(cfg)
	check(err, "etcd did not start")
	select {
	case <-e.Server.ReadyNotify():
	case <-time.After(60 * time.Second):
		fail("etcd was not ready within 60 s")
	}
	return client.String()
}

// announceReady prints "ready" once /readyz answers 200, so that a caller can wait on one line.
func announceReady(server, token string) {
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	for {
		req, _ := http.NewRequest(http.MethodGet, server+"/readyz", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				fmt.Println("ready")
				return
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func kubeconfig(server, token string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: local
  cluster: {server: %q, insecure-skip-tls-verify: true}
users:
- name: admin
  user: {token: %q}
contexts:
- name: local
  context: {cluster: local, user: admin}
current-context: local
`, server, token)
}

func rsaKeyPEM() []byte {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	check(err, "cannot generate the service-account key")
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
}

func randomHex() string {
	b := make([]byte, 16)
	_, err := rand.Read(b)
	check(err, "cannot generate the token")
	return hex.EncodeToString(b)
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	check(err, "cannot find a free loopback port")
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func check(err error, what string) {
	if err != nil {
		fail(what + ": " + err.Error())
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "apiserver: "+msg)
	os.Exit(1)
}
