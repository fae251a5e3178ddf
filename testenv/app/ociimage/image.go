package main

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"path"
	"slices"
	"strings"
	"time"
)

const (
	mediaIndex    = "application/vnd.oci.image.index.v1+json"
	mediaManifest = "application/vnd.oci.image.manifest.v1+json"
	mediaConfig   = "application/vnd.oci.image.config.v1+json"
	mediaLayer    = "application/vnd.oci.image.layer.v1.tar"

	// epoch stands for every timestamp, so that timestamps never change a digest.
	epochRFC3339 = "1970-01-01T00:00:00Z"
)

// passwd and group name the uid the API pods run as (10001), for tools that look it up.
const (
	passwd = "root:x:0:0:root:/root:/sbin/nologin\napp:x:10001:10001:app:/tmp:/sbin/nologin\n"
	group  = "root:x:0:\napp:x:10001:\n"
)

type descriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int64             `json:"size"`
	Platform    *platform         `json:"platform,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

type platform struct {
	Architecture string `json:"architecture"`
	OS           string `json:"os"`
}

type index struct {
	SchemaVersion int          `json:"schemaVersion"`
	MediaType     string       `json:"mediaType"`
	Manifests     []descriptor `json:"manifests"`
}

type manifest struct {
	SchemaVersion int          `json:"schemaVersion"`
	MediaType     string       `json:"mediaType"`
	Config        descriptor   `json:"config"`
	Layers        []descriptor `json:"layers"`
}

type imageConfig struct {
	Created      string          `json:"created"`
	Architecture string          `json:"architecture"`
	OS           string          `json:"os"`
	Config       containerConfig `json:"config"`
	RootFS       rootFS          `json:"rootfs"`
	History      []history       `json:"history"`
}

type containerConfig struct {
	User       string   `json:"User,omitempty"`
	Env        []string `json:"Env"`
	Entrypoint []string `json:"Entrypoint"`
}

type rootFS struct {
	Type    string   `json:"type"`
	DiffIDs []string `json:"diff_ids"`
}

type history struct {
	Created   string `json:"created"`
	CreatedBy string `json:"created_by"`
}

// entry is one member of a tar archive; a directory's name ends in "/".
type entry struct {
	name string
	mode int64
	data []byte
}

// layerEntries lays out the image's filesystem: the given files (keyed by path without the
// leading "/"), their parent directories, an empty /tmp for the pods' emptyDir to mount on, and
// /etc/passwd and /etc/group unless files holds its own. Sorted, so every parent precedes its
// children.
func layerEntries(files map[string][]byte) ([]entry, error) {
	all := map[string]entry{
		"tmp/":       {name: "tmp/", mode: 0o1777},
		"etc/passwd": {name: "etc/passwd", mode: 0o644, data: []byte(passwd)},
		"etc/group":  {name: "etc/group", mode: 0o644, data: []byte(group)},
	}
	for name, data := range files {
		all[name] = entry{name: name, mode: 0o755, data: data}
	}
	for name := range all {
		for dir := path.Dir(strings.TrimSuffix(name, "/")); dir != "."; dir = path.Dir(dir) {
			if _, ok := all[dir+"/"]; !ok {
				all[dir+"/"] = entry{name: dir + "/", mode: 0o755}
			}
		}
	}
	for name := range all {
		if _, ok := all[name+"/"]; ok {
			return nil, fmt.Errorf("%w: /%s is both a file and a directory", errBadFile, name)
		}
	}
	var entries []entry
	for _, name := range slices.Sorted(maps.Keys(all)) {
		entries = append(entries, all[name])
	}
	return entries, nil
}

// writeTar writes entries owned by root, timestamped at the epoch, with no user or group names:
// nothing of the machine that built them.
func writeTar(w io.Writer, entries []entry) error {
	tw := tar.NewWriter(w)
	for _, e := range entries {
		hdr := &tar.Header{Name: e.name, Mode: e.mode, ModTime: time.Unix(0, 0), Typeflag: tar.TypeReg, Size: int64(len(e.data))}
		if strings.HasSuffix(e.name, "/") {
			hdr.Typeflag, hdr.Size = tar.TypeDir, 0
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return fmt.Errorf("tar %s: %w", e.name, err)
		}
		if _, err := tw.Write(e.data); err != nil {
			return fmt.Errorf("tar %s: %w", e.name, err)
		}
	}
	return tw.Close()
}

func digestOf(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// writeImage writes the OCI image layout tarball: oci-layout, index.json, and the layer, config
// and manifest under blobs/sha256/.
func writeImage(w io.Writer, o options, files map[string][]byte) error {
	entries, err := layerEntries(files)
	if err != nil {
		return err
	}
	var layer bytes.Buffer
	if err := writeTar(&layer, entries); err != nil {
		return err
	}

	blobs := map[string][]byte{}
	add := func(mediaType string, b []byte) descriptor {
		d := digestOf(b)
		blobs[d] = b
		return descriptor{MediaType: mediaType, Digest: d, Size: int64(len(b))}
	}
	layerDesc := add(mediaLayer, layer.Bytes())
	dsts := make([]string, 0, len(files))
	for name := range files {
		dsts = append(dsts, "/"+name)
	}
	slices.Sort(dsts)
	cfg, err := json.Marshal(imageConfig{
		Created:      epochRFC3339,
		Architecture: "amd64",
		OS:           "linux",
		Config:       containerConfig{User: o.user, Env: o.env, Entrypoint: []string{o.entrypoint}},
		// The layer is stored uncompressed, so its diff ID is its digest.
		RootFS:  rootFS{Type: "layers", DiffIDs: []string{layerDesc.Digest}},
		History: []history{{Created: epochRFC3339, CreatedBy: "ociimage " + strings.Join(dsts, " ")}},
	})
	if err != nil {
		return err
	}
	man, err := json.Marshal(manifest{
		SchemaVersion: 2, MediaType: mediaManifest,
		Config: add(mediaConfig, cfg), Layers: []descriptor{layerDesc},
	})
	if err != nil {
		return err
	}
	manDesc := add(mediaManifest, man)
	manDesc.Platform = &platform{Architecture: "amd64", OS: "linux"}
	// ctr import names the image after io.containerd.image.name; ref.name is the OCI layout's own
	// name for it, the tag.
	manDesc.Annotations = map[string]string{
		"io.containerd.image.name":          o.name,
		"org.opencontainers.image.ref.name": o.tag,
	}
	idx, err := json.Marshal(index{SchemaVersion: 2, MediaType: mediaIndex, Manifests: []descriptor{manDesc}})
	if err != nil {
		return err
	}

	outer := []entry{
		{name: "oci-layout", mode: 0o644, data: []byte(`{"imageLayoutVersion":"1.0.0"}`)},
		{name: "index.json", mode: 0o644, data: idx},
		{name: "blobs/", mode: 0o755},
		{name: "blobs/sha256/", mode: 0o755},
	}
	for _, d := range slices.Sorted(maps.Keys(blobs)) {
		outer = append(outer, entry{name: "blobs/sha256/" + strings.TrimPrefix(d, "sha256:"), mode: 0o644, data: blobs[d]})
	}
	slices.SortFunc(outer, func(a, b entry) int { return strings.Compare(a.name, b.name) })
	return writeTar(w, outer)
}
