package localstack

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Kube reads objects from a cluster's API server with a kubeconfig's token: the suite checks
// what the cluster holds, not what the program asked for.
type Kube struct {
	server, token string
	client        *http.Client
}

// NewKube reads the first cluster and user of a kubeconfig. The local API server's certificate
// is self-signed, so it is not verified (loopback only).
func NewKube(kubeconfig string) (*Kube, error) {
	data, err := os.ReadFile(kubeconfig)
	if err != nil {
		return nil, err
	}
	var kc struct {
		Clusters []struct {
			Cluster struct {
				Server string `yaml:"server"`
			} `yaml:"cluster"`
		} `yaml:"clusters"`
		Users []struct {
			User struct {
				Token string `yaml:"token"`
			} `yaml:"user"`
		} `yaml:"users"`
	}
	if err := yaml.Unmarshal(data, &kc); err != nil || len(kc.Clusters) == 0 || len(kc.Users) == 0 {
		return nil, fmt.Errorf("kubeconfig %s: no cluster or user (%v)", kubeconfig, err)
	}
	return &Kube{
		server: kc.Clusters[0].Cluster.Server, token: kc.Users[0].User.Token,
		client: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
			TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // loopback, self-signed test cluster
		}},
	}, nil
}

// Get returns the object at an API path as decoded JSON, or nil when it does not exist.
func (k *Kube) Get(ctx context.Context, path string) (map[string]any, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.server+path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+k.token)
	resp, err := k.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	switch resp.StatusCode {
	case http.StatusOK:
		var obj map[string]any
		if err := json.Unmarshal(body, &obj); err != nil {
			return nil, fmt.Errorf("GET %s: %w", path, err)
		}
		return obj, nil
	case http.StatusNotFound:
		return nil, nil
	}
	return nil, fmt.Errorf("GET %s: %s: %s", path, resp.Status, body)
}

// APIResource is where the API server serves one kind.
type APIResource struct {
	// Name is the resource's plural name in its path, e.g. "deployments".
	Name string
	// Namespaced is true for kinds that live in a namespace.
	Namespaced bool
}

// Resources asks the server's discovery where it serves the kinds of the given group versions
// ("v1", "apps/v1", ...), keyed "<groupVersion>/<Kind>". A group version the server does not
// serve (a CRD not installed) has no entries.
func (k *Kube) Resources(ctx context.Context, groupVersions []string) (map[string]APIResource, error) {
	out := map[string]APIResource{}
	for _, gv := range groupVersions {
		list, err := k.Get(ctx, APIPath(gv))
		if err != nil {
			return nil, err
		}
		items, _ := list["resources"].([]any)
		for _, item := range items {
			r, _ := item.(map[string]any)
			name, _ := r["name"].(string)
			kind, _ := r["kind"].(string)
			namespaced, _ := r["namespaced"].(bool)
			if name == "" || strings.Contains(name, "/") { // subresources such as deployments/scale
				continue
			}
			out[gv+"/"+kind] = APIResource{Name: name, Namespaced: namespaced}
		}
	}
	return out, nil
}

// APIPath is the root path of a group version: /api/v1 for the core group, /apis/<gv> else.
func APIPath(groupVersion string) string {
	if groupVersion == "v1" {
		return "/api/v1"
	}
	return "/apis/" + groupVersion
}

// Create posts obj to the collection at path with strict field validation; with dryRun the
// server runs every admission step and stores nothing (dryRun=All). It returns the server's
// warnings (a Pod Security "would violate" among them), or an error with the server's message.
func (k *Kube) Create(ctx context.Context, path string, obj map[string]any, dryRun bool) ([]string, error) {
	body, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	url := k.server + path + "?fieldValidation=Strict"
	if dryRun {
		url += "&dryRun=All"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+k.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := k.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("POST %s: %w", path, err)
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		var status struct{ Message string }
		if json.Unmarshal(reply, &status) == nil && status.Message != "" {
			return nil, fmt.Errorf("POST %s: %s: %s", path, resp.Status, status.Message)
		}
		return nil, fmt.Errorf("POST %s: %s: %s", path, resp.Status, reply)
	}
	return resp.Header.Values("Warning"), nil
}

// Delete deletes the object at path; a missing one is not an error.
func (k *Kube) Delete(ctx context.Context, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, k.server+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+k.token)
	resp, err := k.client.Do(req)
	if err != nil {
		return fmt.Errorf("DELETE %s: %w", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 && resp.StatusCode != http.StatusNotFound {
		body, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("DELETE %s: %s: %s", path, resp.Status, body)
	}
	return nil
}

// Patch applies a JSON merge patch to the object at path, as `kubectl patch --type merge` does
// (the behind-Pulumi's-back edits of the fault tests).
func (k *Kube) Patch(ctx context.Context, path string, patch map[string]any) error {
	body, err := json.Marshal(patch)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPatch, k.server+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+k.token)
	req.Header.Set("Content-Type", "application/merge-patch+json")
	resp, err := k.client.Do(req)
	if err != nil {
		return fmt.Errorf("PATCH %s: %w", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		reply, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("PATCH %s: %s: %s", path, resp.Status, reply)
	}
	return nil
}
