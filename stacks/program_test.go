package stacks_test

import (
	"strings"
	"testing"

	"github.com/openwan/openwan-infra/internal/plan"
	"github.com/openwan/openwan-infra/policies/rules"
	"github.com/openwan/openwan-infra/stacks"
)

const (
	hpaType        = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
	deploymentType = "kubernetes:apps/v1:Deployment"
	pdbType        = "kubernetes:policy/v1:PodDisruptionBudget"
	nodeGroupType  = "eks:index:ManagedNodeGroup"
	// scaledObjectType is KEDA's ScaledObject as the Kubernetes provider types a custom resource.
	scaledObjectType = "kubernetes:keda.sh/v1alpha1:ScaledObject"
)

// runStack runs the program with the stack's real Pulumi.<stack>.yaml on the recording mocks.
func runStack(t *testing.T, stack string, dryRun bool) *plan.Plan {
	t.Helper()
	cfg, err := plan.StackConfig("..", stack)
	if err != nil {
		t.Fatal(err)
	}
	return runConfig(t, stack, cfg, dryRun)
}

func runConfig(t *testing.T, stack string, cfg map[string]string, dryRun bool) *plan.Plan {
	t.Helper()
	p, err := plan.Run(stack, cfg, stacks.Build, plan.Options{DryRun: dryRun})
	if err != nil {
		t.Fatalf("plan.Run(%s, dryRun=%v) error = %v", stack, dryRun, err)
	}
	return p
}

// input fetches an input of a named resource, failing the test when it is missing.
func input(t *testing.T, p *plan.Plan, typ, name, path string) any {
	t.Helper()
	r, err := p.Get(typ, name)
	if err != nil {
		t.Fatal(err)
	}
	v, err := r.Input(path)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func eachMode(t *testing.T, f func(t *testing.T, dryRun bool)) {
	for _, dryRun := range []bool{false, true} {
		name := "up"
		if dryRun {
			name = "preview"
		}
		t.Run(name, func(t *testing.T) { f(t, dryRun) })
	}
}

func TestHPAsCarryTheStackNumbers(t *testing.T) {
	type hpa struct {
		min, max, cpu, memory, down, up float64
	}
	tests := []struct {
		stack string
		want  map[string]hpa
	}{
		// prod carries the guide's numbers exactly; its workers scale through KEDA
		// (TestProdWorkersScaleOnTheQueue).
		{"prod", map[string]hpa{
			"openwan-api-hpa": {min: 2, max: 20, cpu: 70, memory: 80, down: 300, up: 0},
		}},
		{"dev", map[string]hpa{
			"openwan-api-hpa":    {min: 2, max: 6, cpu: 70, memory: 80, down: 300, up: 0},
			"openwan-worker-hpa": {min: 2, max: 4, cpu: 75, memory: 85, down: 600, up: 0},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.stack, func(t *testing.T) {
			eachMode(t, func(t *testing.T, dryRun bool) {
				p := runStack(t, tt.stack, dryRun)
				if got := len(p.Find(hpaType)); got != len(tt.want) {
					t.Errorf("%d HPAs, want %d", got, len(tt.want))
				}
				for name, want := range tt.want {
					got := hpa{
						min:    input(t, p, hpaType, name, "spec.minReplicas").(float64),
						max:    input(t, p, hpaType, name, "spec.maxReplicas").(float64),
						cpu:    input(t, p, hpaType, name, "spec.metrics.0.resource.target.averageUtilization").(float64),
						memory: input(t, p, hpaType, name, "spec.metrics.1.resource.target.averageUtilization").(float64),
						down:   input(t, p, hpaType, name, "spec.behavior.scaleDown.stabilizationWindowSeconds").(float64),
						up:     input(t, p, hpaType, name, "spec.behavior.scaleUp.stabilizationWindowSeconds").(float64),
					}
					if got != want {
						t.Errorf("%s = %+v, want %+v", name, got, want)
					}
					for i, metric := range []string{"cpu", "memory"} {
						if got := input(t, p, hpaType, name, "spec.metrics."+itoa(i)+".resource.name"); got != metric {
							t.Errorf("%s metric %d = %v, want %s", name, i, got, metric)
						}
					}
				}
			})
		})
	}
}

func TestScalePoliciesAreAggressiveOutConservativeIn(t *testing.T) {
	p := runStack(t, "prod", false)
	tests := []struct {
		name, path string
		want       any
	}{
		{"openwan-api-hpa", "spec.behavior.scaleUp.policies.0", map[string]any{"type": "Percent", "value": 100.0, "periodSeconds": 15.0}},
		{"openwan-api-hpa", "spec.behavior.scaleUp.policies.1", map[string]any{"type": "Pods", "value": 4.0, "periodSeconds": 15.0}},
		{"openwan-api-hpa", "spec.behavior.scaleDown.policies.0", map[string]any{"type": "Percent", "value": 10.0, "periodSeconds": 60.0}},
		{"openwan-api-hpa", "spec.behavior.scaleDown.policies.1", map[string]any{"type": "Pods", "value": 1.0, "periodSeconds": 60.0}},
		{"openwan-worker", "spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.policies.0", map[string]any{"type": "Pods", "value": 1.0, "periodSeconds": 120.0}},
		{"openwan-worker", "spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleUp.policies.1", map[string]any{"type": "Pods", "value": 4.0, "periodSeconds": 15.0}},
	}
	for _, tt := range tests {
		typ := hpaType
		if tt.name == "openwan-worker" {
			typ = scaledObjectType
		}
		got := input(t, p, typ, tt.name, tt.path)
		if !equalJSON(got, tt.want) {
			t.Errorf("%s %s = %v, want %v", tt.name, tt.path, got, tt.want)
		}
	}
}

func TestDeploymentsShutDownGracefullyAndLeaveTheCountToTheHPA(t *testing.T) {
	eachMode(t, func(t *testing.T, dryRun bool) {
		p := runStack(t, "prod", dryRun)
		tests := []struct {
			name  string
			grace float64
			cpu   string
			mem   string
			pool  string
		}{
			{"openwan-api-deployment", 60, "500m", "1024Mi", "api"},
			{"openwan-worker-deployment", 1800, "900m", "1536Mi", "workers"},
		}
		for _, tt := range tests {
			d, err := p.Get(deploymentType, tt.name)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := d.Input("spec.replicas"); err == nil {
				t.Errorf("%s sets spec.replicas, want it left to the HPA", tt.name)
			}
			checks := map[string]any{
				"spec.strategy.rollingUpdate.maxUnavailable":                               0.0,
				"spec.template.spec.terminationGracePeriodSeconds":                         tt.grace,
				"spec.template.spec.containers.0.lifecycle.preStop.sleep.seconds":          15.0,
				"spec.template.spec.containers.0.resources.requests.cpu":                   tt.cpu,
				"spec.template.spec.containers.0.resources.requests.memory":                tt.mem,
				"spec.template.spec.containers.0.readinessProbe.httpGet.path":              "/ready",
				"spec.template.spec.containers.0.livenessProbe.httpGet.path":               "/health",
				"spec.template.spec.containers.0.startupProbe.failureThreshold":            12.0,
				"spec.template.spec.securityContext.runAsNonRoot":                          true,
				"spec.template.spec.containers.0.securityContext.allowPrivilegeEscalation": false,
				"spec.template.spec.containers.0.securityContext.readOnlyRootFilesystem":   true,
				"spec.template.spec.topologySpreadConstraints.0.topologyKey":               "topology.kubernetes.io/zone",
			}
			// The label key holds dots, so it is read from the map rather than by path.
			if sel, err := d.Input("spec.template.spec.nodeSelector"); err != nil || sel.(map[string]any)["openwan.io/pool"] != tt.pool {
				t.Errorf("%s nodeSelector = %v, want openwan.io/pool=%v", tt.name, sel, tt.pool)
			}
			for path, want := range checks {
				got, err := d.Input(path)
				if err != nil {
					t.Error(err)
					continue
				}
				if got != want {
					t.Errorf("%s %s = %v, want %v", tt.name, path, got, want)
				}
			}
		}
		env, _ := p.Get(deploymentType, "openwan-api-deployment")
		vars, err := env.Input("spec.template.spec.containers.0.env")
		if err != nil {
			t.Fatal(err)
		}
		if !hasEnv(vars, "DB_POOL_SIZE", "25") || !hasEnv(vars, "S3_BUCKET", "openwan-prod-media") {
			t.Errorf("api env = %v, want DB_POOL_SIZE=25 and S3_BUCKET=openwan-prod-media", vars)
		}
	})
}

func TestWorkersAloneRunOnSpot(t *testing.T) {
	p := runStack(t, "prod", false)
	workers, err := p.Get(nodeGroupType, "openwan-workers")
	if err != nil {
		t.Fatal(err)
	}
	api, err := p.Get(nodeGroupType, "openwan-api")
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		r    plan.Resource
		path string
		want any
	}{
		{workers, "capacityType", "SPOT"},
		{workers, "instanceTypes.0", "c5.xlarge"},
		{workers, "taints.0.key", "openwan.io/spot"},
		{workers, "taints.0.effect", "NO_SCHEDULE"},
		{workers, "enableIMDSv2", true},
		{workers, "scalingConfig.maxSize", 5.0},
		{api, "capacityType", "ON_DEMAND"},
		{api, "instanceTypes.0", "t3.medium"},
		{api, "enableIMDSv2", true},
		{api, "scalingConfig.minSize", 2.0},
		{api, "scalingConfig.maxSize", 10.0},
	}
	for _, c := range checks {
		got, err := c.r.Input(c.path)
		if err != nil || got != c.want {
			t.Errorf("%s %s = %v (%v), want %v", c.r.Name, c.path, got, err, c.want)
		}
	}
	if _, err := api.Input("taints.0"); err == nil {
		t.Error("the api pool is tainted, want no taint")
	}
	tol := input(t, p, deploymentType, "openwan-worker-deployment", "spec.template.spec.tolerations.0.key")
	if tol != "openwan.io/spot" {
		t.Errorf("worker toleration = %v, want openwan.io/spot", tol)
	}
	if _, err := mustGet(t, p, deploymentType, "openwan-api-deployment").Input("spec.template.spec.tolerations.0"); err == nil {
		t.Error("api pods tolerate a taint, want them kept off spot")
	}
}

func TestClusterIsLockedDown(t *testing.T) {
	p := runStack(t, "prod", false)
	c := mustGet(t, p, "eks:index:Cluster", "openwan-eks")
	checks := map[string]any{
		"endpointPrivateAccess":    true,
		"skipDefaultNodeGroup":     true,
		"publicAccessCidrs.0":      "198.51.100.0/24",
		"enabledClusterLogTypes.1": "audit",
		"name":                     "openwan-prod",
	}
	for path, want := range checks {
		got, err := c.Input(path)
		if err != nil || got != want {
			t.Errorf("cluster %s = %v (%v), want %v", path, got, err, want)
		}
	}
	if _, err := c.Input("encryptionConfigKeyArn"); err != nil {
		t.Errorf("cluster has no secrets encryption key: %v", err)
	}
}

func TestEveryServiceHasAPDB(t *testing.T) {
	p := runStack(t, "prod", false)
	for _, name := range []string{"openwan-api", "openwan-worker"} {
		got := input(t, p, pdbType, name+"-pdb", "spec.maxUnavailable")
		if got != 1.0 {
			t.Errorf("%s-pdb maxUnavailable = %v, want 1", name, got)
		}
		sel := input(t, p, pdbType, name+"-pdb", "spec.selector.matchLabels")
		tmpl := input(t, p, deploymentType, name+"-deployment", "spec.template.metadata.labels")
		if !equalJSON(sel, tmpl) {
			t.Errorf("%s-pdb selects %v, want the pods' labels %v", name, sel, tmpl)
		}
	}
	ms := input(t, p, "kubernetes:helm.sh/v3:Release", "metrics-server-release", "values")
	values := ms.(map[string]any)
	if values["replicas"] != 2.0 || values["podDisruptionBudget"].(map[string]any)["enabled"] != true {
		t.Errorf("metrics-server values = %v, want 2 replicas and a PDB", values)
	}
	if v := input(t, p, "kubernetes:helm.sh/v3:Release", "metrics-server-release", "version"); v != "3.13.0" {
		t.Errorf("metrics-server chart = %v, want pinned 3.13.0", v)
	}
}

func TestEveryChildHasItsComponentAsParent(t *testing.T) {
	p := runStack(t, "prod", false)
	root := "urn:pulumi:prod::openwan::pulumi:pulumi:Stack::openwan-prod"
	components := map[string]plan.Resource{}
	for _, r := range p.Resources {
		if strings.HasPrefix(r.Type, "openwan:") {
			components[r.URN] = r
		}
	}
	if len(components) == 0 {
		t.Fatal("no openwan components in the plan")
	}
	// Only these stand at the top; everything else belongs to a component.
	topLevel := map[string]bool{"kubernetes:core/v1:Namespace": true}
	children := map[string]int{}
	for _, r := range p.Resources {
		if r.Parent == root {
			if !strings.HasPrefix(r.Type, "openwan:") && !topLevel[r.Type] {
				t.Errorf("%s hangs off the stack, want a component parent", r.URN)
			}
			continue
		}
		parent, ok := components[r.Parent]
		if !ok {
			continue // a child of a pulumi-eks component, declared by the eks provider
		}
		children[parent.URN]++
		if !strings.HasPrefix(r.Name, parent.Name) {
			t.Errorf("%s is named %q, want it prefixed by its component's name %q", r.URN, r.Name, parent.Name)
		}
	}
	for urn := range components {
		if children[urn] == 0 {
			t.Errorf("component %s has no children", urn)
		}
	}
}

func TestBadConfigDeclaresNothing(t *testing.T) {
	cfg, err := plan.StackConfig("..", "prod")
	if err != nil {
		t.Fatal(err)
	}
	cfg["openwan:api"] = `{"image": "api:1", "replicas": {"min": 2, "max": 1}}`
	cfg["openwan:worker"] = `{"image": "", "targets": {"cpuPercent": 0}}`
	p, err := plan.Run("prod", cfg, stacks.Build, plan.Options{})
	want := "invalid stack config:\n" +
		"openwan:api.replicas.max: 1 is below min 2\n" +
		"openwan:worker.image: must not be empty\n" +
		"openwan:worker.targets.cpuPercent: 0 is outside (0, 100]"
	if err == nil || err.Error() != want {
		t.Fatalf("plan.Run() error = %v, want %q", err, want)
	}
	if len(p.Resources) != 0 {
		t.Errorf("plan.Run() declared %d resources before failing, want 0", len(p.Resources))
	}
}

func TestNodePoolTooSmallForHPAIsRefused(t *testing.T) {
	cfg, err := plan.StackConfig("..", "prod")
	if err != nil {
		t.Fatal(err)
	}
	cfg["openwan:cluster"] = `{"publicAccessCidrs": ["198.51.100.0/24"], "keda": {"enabled": true}, "nodePools": {"api": {"size": {"min": 2, "max": 5}, "desired": 3}}}`
	_, err = plan.Run("prod", cfg, stacks.Build, plan.Options{})
	want := "openwan:cluster.nodePools.api.size.max: 5 nodes cannot hold openwan:api.replicas.max 20 pods"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("plan.Run() error = %v, want it to contain %q", err, want)
	}
}

func TestOutputs(t *testing.T) {
	p := runStack(t, "prod", false)
	if p.Outputs["clusterName"] != "openwan-prod" {
		t.Errorf("clusterName = %v, want openwan-prod", p.Outputs["clusterName"])
	}
	if p.Outputs["kubeconfig"] != "[secret]" {
		t.Errorf("kubeconfig = %v, want it secret", p.Outputs["kubeconfig"])
	}
	api := p.Outputs["apiHpa"].(map[string]any)
	if api["minReplicas"] != 2.0 || api["maxReplicas"] != 20.0 {
		t.Errorf("apiHpa = %v, want bounds 2..20", api)
	}
}

func mustGet(t *testing.T, p *plan.Plan, typ, name string) plan.Resource {
	t.Helper()
	r, err := p.Get(typ, name)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestStacksPassEveryMandatoryPolicy runs each stack's real config through the program, as an
// `up` and as a preview, and the policy rules over what it declared, as the pack would.
func TestStacksPassEveryMandatoryPolicy(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		t.Run(stack, func(t *testing.T) {
			eachMode(t, func(t *testing.T, dryRun bool) {
				cfg, err := plan.StackConfig("..", stack)
				if err != nil {
					t.Fatal(err)
				}
				policy, err := rules.FromStackConfig(cfg)
				if err != nil {
					t.Fatal(err)
				}
				violations, err := runConfig(t, stack, cfg, dryRun).Check(policy)
				if err != nil {
					t.Fatal(err)
				}
				for _, v := range violations {
					if v.Level == rules.Mandatory {
						t.Errorf("%s on %s: %s", v.Rule, v.URN, v.Message)
					}
				}
			})
		})
	}
}

// TestProdWorkersScaleOnTheQueue pins the guide's queue-driven worker scaling: one ScaledObject
// with the CPU, memory and queue-length triggers, the worker's bounds and behavior, the RabbitMQ
// URL from the app's Secret, and no plain HPA next to it.
func TestProdWorkersScaleOnTheQueue(t *testing.T) {
	eachMode(t, func(t *testing.T, dryRun bool) {
		p := runStack(t, "prod", dryRun)
		if _, err := p.Get(hpaType, "openwan-worker-hpa"); err == nil {
			t.Error("prod declares a plain worker HPA next to the ScaledObject")
		}
		so := "openwan-worker"
		runChecks(t, p, []check{
			{scaledObjectType, so, "spec.scaleTargetRef.name", "openwan-worker"},
			{scaledObjectType, so, "spec.minReplicaCount", 2},
			{scaledObjectType, so, "spec.maxReplicaCount", 10},
			{scaledObjectType, so, "spec.advanced.horizontalPodAutoscalerConfig.name", "openwan-worker-hpa"},
			{scaledObjectType, so, "spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds", 600},
			{scaledObjectType, so, "spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleUp.stabilizationWindowSeconds", 0},
			{scaledObjectType, so, "spec.triggers.0.type", "cpu"},
			{scaledObjectType, so, "spec.triggers.0.metadata.value", "75"},
			{scaledObjectType, so, "spec.triggers.1.type", "memory"},
			{scaledObjectType, so, "spec.triggers.1.metadata.value", "85"},
			{scaledObjectType, so, "spec.triggers.2.type", "rabbitmq"},
			{scaledObjectType, so, "spec.triggers.2.metadata.queueName", "transcode"},
			{scaledObjectType, so, "spec.triggers.2.metadata.mode", "QueueLength"},
			{scaledObjectType, so, "spec.triggers.2.metadata.value", "50"},
			{scaledObjectType, so, "spec.triggers.2.authenticationRef.name", "openwan-worker-rabbitmq"},
			{"kubernetes:keda.sh/v1alpha1:TriggerAuthentication", "openwan-worker-rabbitmq", "spec.secretTargetRef.0",
				map[string]any{"parameter": "host", "name": "openwan-app", "key": "RABBITMQ_URL"}},
			{"kubernetes:helm.sh/v3:Release", "keda-release", "version", "2.18.0"},
			{"kubernetes:helm.sh/v3:Release", "keda-release", "namespace", "keda"},
		})
	})
}

// TestOutputsCarryCapacityAndCost pins the capacity plan every preview shows for prod.
func TestOutputsCarryCapacityAndCost(t *testing.T) {
	p := runStack(t, "prod", true)
	tests := []struct {
		path string
		want any
	}{
		{"capacity.api.peakRequestsPerMinute", 2500.0},
		{"capacity.api.eksRequestsPerMinute", 5000.0},
		{"capacity.api.ec2RequestsPerMinute", 10000.0},
		{"capacity.database.total", 1250.0},
		{"capacity.database.available", 1480.0},
		{"monthlyCostUSD.monthlyUSD.baseline.total", 500.05},
		{"monthlyCostUSD.monthlyUSD.min.total", 431.72},
		{"monthlyCostUSD.monthlyUSD.max.total", 1600.16},
		{"monthlyCostUSD.fleets.2.fleet", "openwan:ec2.api"},
		{"monthlyCostUSD.fleets.2.instances.baseline", 3.25},
	}
	outputs := plan.Resource{URN: "outputs", Inputs: p.Outputs}
	for _, tt := range tests {
		got, err := outputs.Input(tt.path)
		if err != nil || !equalJSON(got, tt.want) {
			t.Errorf("output %s = %v (%v), want %v", tt.path, got, err, tt.want)
		}
	}
}

// TestDatabaseBudgetIsEnforced runs prod with a database that takes fewer connections than its
// fleets open at their maxima: the stack is refused, naming both numbers, and declares nothing.
func TestDatabaseBudgetIsEnforced(t *testing.T) {
	cfg, err := plan.StackConfig("..", "prod")
	if err != nil {
		t.Fatal(err)
	}
	cfg["openwan:capacity"] = `{"database": {"maxConnections": 1000}}`
	p, err := plan.Run("prod", cfg, stacks.Build, plan.Options{})
	want := "openwan:capacity.database.maxConnections: 1000 minus 20 reserved leaves 980, below the 1250 connections the fleets open at their maxima"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("plan.Run() error = %v, want it to contain %q", err, want)
	}
	if len(p.Resources) != 0 {
		t.Errorf("a refused stack declared %d resources", len(p.Resources))
	}
}

// TestLocalStackIsKubernetesOnly runs Pulumi.local.yaml: the services, metrics-server as
// objects, all through the existing cluster's provider, and nothing AWS.
func TestLocalStackIsKubernetesOnly(t *testing.T) {
	eachMode(t, func(t *testing.T, dryRun bool) {
		p := runStack(t, "local", dryRun)
		provider := ""
		for _, r := range p.Resources {
			if strings.HasPrefix(r.Type, "aws:") || strings.HasPrefix(r.Type, "eks:") || r.Type == "kubernetes:helm.sh/v3:Release" {
				t.Errorf("local stack declares %s %s", r.Type, r.Name)
			}
			if r.Type == "pulumi:providers:kubernetes" {
				provider = r.Name
				if got := r.Inputs["context"]; got != "openwan-local" {
					t.Errorf("provider context = %v, want openwan-local", got)
				}
			}
		}
		if provider != "existing-cluster" {
			t.Errorf("provider = %q, want the existing-cluster provider", provider)
		}
		runChecks(t, p, []check{
			{"kubernetes:apps/v1:Deployment", "metrics-server-deployment", "metadata.namespace", "kube-system"},
			{"kubernetes:apiregistration.k8s.io/v1:APIService", "metrics-server-apiservice", "spec.group", "metrics.k8s.io"},
			{hpaType, "openwan-api-hpa", "spec.maxReplicas", 5},
			{hpaType, "openwan-worker-hpa", "spec.maxReplicas", 4},
		})
		if sel, _ := input(t, p, deploymentType, "openwan-api-deployment", "spec.template.spec").(map[string]any)["nodeSelector"].(map[string]any); len(sel) > 0 {
			t.Error("local API pods select a node pool; an existing cluster's nodes are not this stack's")
		}
	})
}
