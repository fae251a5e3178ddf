// Package awsmodel judges the AWS inputs of a plan against what AWS wrote: the service API models
// (botocore's api-2.json, as shipped in github.com/aws/aws-sdk-go) and the CloudFormation
// resource provider schemas (as embedded in github.com/aws-cloudformation/rain), both pinned
// below by version and by the module proxy's hash, read from the module cache after `go mod
// download`: nothing a machine happened to have before.
//
// It is pure: it imports only the resource model, and reads JSON files.
package awsmodel

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
)

// Module is a Go module pinned by version and by the hash `go mod download` reports for it.
type Module struct {
	Path, Version, Sum string
}

// The pinned sources of AWS's own words.
var (
	// SDKModels is aws-sdk-go v1, whose models/apis/<service>/<version>/api-2.json are the
	// service API models.
	SDKModels = Module{"github.com/aws/aws-sdk-go", "v1.55.8", "h1:JRmEUbU52aJQZ2AjX4q4Wu7t4uZjOu71uyNmaWlUkJQ="}
	// CloudFormationSchemas is rain, whose internal/aws/cfn/schemas/aws/<service>/<type>.json are
	// the CloudFormation resource provider schemas.
	CloudFormationSchemas = Module{"github.com/aws-cloudformation/rain", "v1.24.4", "h1:OBXwmwlKfqb+Cs7KNLY/SdPdQpXZN4ybSBYfvQF2cKs="}
)

var (
	dirs   = map[Module]string{}
	dirsMu sync.Mutex
)

// Dir downloads the module into the module cache (once per process) and returns its directory,
// refusing a download whose hash is not the pinned one.
func (m Module) Dir() (string, error) {
	dirsMu.Lock()
	defer dirsMu.Unlock()
	if d, ok := dirs[m]; ok {
		return d, nil
	}
	// Outside any module, so that the project's go.mod neither needs nor records these.
	cmd := exec.Command("go", "mod", "download", "-json", m.Path+"@"+m.Version)
	cmd.Dir = os.TempDir()
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GO111MODULE=on")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go mod download %s@%s: %w: %s", m.Path, m.Version, err, stderr.String())
	}
	var info struct{ Dir, Sum, Error string }
	if err := json.Unmarshal(out, &info); err != nil {
		return "", fmt.Errorf("go mod download %s@%s: %w", m.Path, m.Version, err)
	}
	if info.Error != "" {
		return "", fmt.Errorf("go mod download %s@%s: %s", m.Path, m.Version, info.Error)
	}
	if info.Sum != m.Sum {
		return "", fmt.Errorf("%s@%s: hash %s, pinned %s", m.Path, m.Version, info.Sum, m.Sum)
	}
	dirs[m] = info.Dir
	return info.Dir, nil
}

// Service is one service's API model: its operations and shapes.
type Service struct {
	// Name is the model's directory name (autoscaling, ec2, monitoring, ...).
	Name       string
	Operations map[string]Operation `json:"operations"`
	Shapes     map[string]Shape     `json:"shapes"`
	Metadata   struct {
		EndpointPrefix string `json:"endpointPrefix"`
		SigningName    string `json:"signingName"`
		ServiceID      string `json:"serviceId"`
	} `json:"metadata"`
}

// Operation is one API call: its input shape.
type Operation struct {
	Input *struct {
		Shape string `json:"shape"`
	} `json:"input"`
}

// Shape is one botocore shape, with the constraints the judge checks.
type Shape struct {
	Type     string            `json:"type"`
	Required []string          `json:"required"`
	Members  map[string]Member `json:"members"`
	Member   *Member           `json:"member"`
	Key      *Member           `json:"key"`
	Value    *Member           `json:"value"`
	Enum     []string          `json:"enum"`
	Min      *float64          `json:"min"`
	Max      *float64          `json:"max"`
	Pattern  string            `json:"pattern"`
}

// Member is a reference to a shape.
type Member struct {
	Shape string `json:"shape"`
}

var (
	services   = map[string]*Service{}
	servicesMu sync.Mutex
)

// LoadService reads one service's model (its newest API version in the pinned SDK).
func LoadService(name string) (*Service, error) {
	servicesMu.Lock()
	defer servicesMu.Unlock()
	if s, ok := services[name]; ok {
		return s, nil
	}
	dir, err := SDKModels.Dir()
	if err != nil {
		return nil, err
	}
	versions, err := filepath.Glob(filepath.Join(dir, "models", "apis", name, "*", "api-2.json"))
	if err != nil || len(versions) == 0 {
		return nil, fmt.Errorf("no API model for service %q in %s@%s", name, SDKModels.Path, SDKModels.Version)
	}
	// Version directories are dates: the last one sorted is the newest.
	data, err := os.ReadFile(versions[len(versions)-1])
	if err != nil {
		return nil, err
	}
	s := &Service{Name: name}
	if err := json.Unmarshal(data, s); err != nil {
		return nil, fmt.Errorf("%s: %w", versions[len(versions)-1], err)
	}
	services[name] = s
	return s, nil
}

// errNoOperation is returned for an operation the service's model does not have.
var errNoOperation = errors.New("no such operation")

// InputShape is the input shape of the service's operation.
func (s *Service) InputShape(operation string) (string, error) {
	op, ok := s.Operations[operation]
	if !ok {
		return "", fmt.Errorf("%s %s: %w", s.Name, operation, errNoOperation)
	}
	if op.Input == nil {
		return "", nil
	}
	return op.Input.Shape, nil
}
