package components_test

import (
	"fmt"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/components/kube"
	"github.com/openwan/openwan-infra/internal/componenttest"
	"github.com/openwan/openwan-infra/internal/model"
)

func kubeValidServiceArgs() *kube.ScalableServiceArgs {
	return &kube.ScalableServiceArgs{
		Namespace: pulumi.String("openwan"), Component: "api", Image: "ghcr.io/openwan/openwan-api:1.0.0", Port: 8080,
		LivenessPath: "/livez", ReadinessPath: "/readyz",
		HPA: &kube.Autoscaling{MinReplicas: 3, MaxReplicas: 12, CPUPercent: 65, MemoryPercent: 75,
			ScaleUp: kube.Behavior{StabilizationSeconds: 30, SelectPolicy: "Max", Policies: []kube.Policy{{Type: "Pods", Value: 3, PeriodSeconds: 20}}},
			ScaleDown: kube.Behavior{StabilizationSeconds: 240, SelectPolicy: "Min",
				Policies: []kube.Policy{{Type: "Percent", Value: 20, PeriodSeconds: 90}, {Type: "Pods", Value: 2, PeriodSeconds: 90}}}},
		Requests: kube.Resources{CPUMillis: 250, MemoryMiB: 256, EphemeralGiB: 3}, Limits: kube.Resources{CPUMillis: 1000, MemoryMiB: 512, EphemeralGiB: 4},
		TerminationGracePeriodSeconds: 45, PreStopSleepSeconds: 10, StartupSeconds: 90,
		Env:        map[string]string{"B": "2", "A": "1"},
		SecretName: "openwan-secrets",
	}
}

func TestScalableServiceArgsRefusals(t *testing.T) {
	componenttest.Refusals(t, kubeValidServiceArgs, kubeValidation(t, kube.NewScalableService, "scalable service", "openwan-api"), []componenttest.Refusal[kube.ScalableServiceArgs]{
		{Name: "no namespace", Change: func(a *kube.ScalableServiceArgs) { a.Namespace = nil }, Fields: []string{"Namespace"}},
		{Name: "no secret", Change: func(a *kube.ScalableServiceArgs) { a.SecretName = "" }, Fields: []string{"SecretName"}},
		{Name: "max below min", Change: func(a *kube.ScalableServiceArgs) { a.HPA.MaxReplicas = 2 }, Fields: []string{"HPA.MaxReplicas"}},
		{Name: "no requests to measure against", Change: func(a *kube.ScalableServiceArgs) { a.Requests = kube.Resources{} },
			Fields: []string{"Requests.CPUMillis", "Requests.MemoryMiB", "Requests.EphemeralGiB"}},
		{Name: "limit below request", Change: func(a *kube.ScalableServiceArgs) { a.Limits.MemoryMiB = 128 }, Fields: []string{"Limits.MemoryMiB"}},
		{Name: "scratch without a size", Change: func(a *kube.ScalableServiceArgs) { a.Requests.EphemeralGiB, a.Limits.EphemeralGiB = 0, 0 },
			Fields: []string{"Requests.EphemeralGiB"}},
		{Name: "disk limit below request", Change: func(a *kube.ScalableServiceArgs) { a.Limits.EphemeralGiB = 2 }, Fields: []string{"Limits.EphemeralGiB"}},
		{Name: "sleep outlasting the grace period", Change: func(a *kube.ScalableServiceArgs) { a.PreStopSleepSeconds = 45 }, Fields: []string{"PreStopSleepSeconds"}},
		{Name: "startup not a whole number of probe periods", Change: func(a *kube.ScalableServiceArgs) { a.StartupSeconds = 62 }, Fields: []string{"StartupSeconds"}},
		{Name: "startup of one probe period", Change: func(a *kube.ScalableServiceArgs) { a.StartupSeconds = 5 }, Fields: []string{"StartupSeconds"}},
		{Name: "bad behavior", Change: func(a *kube.ScalableServiceArgs) {
			a.HPA.ScaleDown.SelectPolicy, a.HPA.ScaleDown.Policies[1].PeriodSeconds = "Most", 3600
		},
			Fields: []string{"HPA.ScaleDown.SelectPolicy", "HPA.ScaleDown.Policies[1].PeriodSeconds"}},
		{Name: "several fields at once", Change: func(a *kube.ScalableServiceArgs) {
			a.Image, a.Port, a.HPA.MinReplicas, a.HPA.CPUPercent = "", 0, 0, 120
		},
			Fields: []string{"Image", "Port", "HPA.MinReplicas", "HPA.CPUPercent"}},
		// Without an HPA the component declares no autoscaler, so it has no bounds to check:
		// the autoscaler that owns the Deployment checks its own.
		{Name: "no HPA: only the service's own fields", Change: func(a *kube.ScalableServiceArgs) { a.HPA, a.Port = nil, 0 },
			Fields: []string{"Port"}},
	})
}

func TestScalableServiceRefusedDeclaresNothing(t *testing.T) {
	err := componenttest.DeclareRefused(t, kube.NewScalableService, "openwan-api", &kube.ScalableServiceArgs{})
	assert.ErrorContains(t, err, "scalable service openwan-api: Namespace", "the error names the component and the field")
}

func kubeDeclareService(t *testing.T, args *kube.ScalableServiceArgs) func(typ, name, path string) any {
	t.Helper()
	p := componenttest.Declare(t, kube.NewScalableService, "openwan-api", args)
	return func(typ, name, path string) any { return componenttest.Input(t, p, typ, name, path) }
}

func TestHPAFollowsArgs(t *testing.T) {
	args := kubeValidServiceArgs()
	input := kubeDeclareService(t, args)
	hpa := func(path string) any { return input(model.TypeK8sHPA, "openwan-api-hpa", "spec."+path) }

	a := args.HPA
	assert.EqualValues(t, a.MinReplicas, hpa("minReplicas"), "HPA.MinReplicas")
	assert.EqualValues(t, a.MaxReplicas, hpa("maxReplicas"), "HPA.MaxReplicas")
	assert.EqualValues(t, a.CPUPercent, hpa("metrics.0.resource.target.averageUtilization"), "the CPU target")
	assert.EqualValues(t, a.MemoryPercent, hpa("metrics.1.resource.target.averageUtilization"), "the memory target")
	for direction, b := range map[string]kube.Behavior{"scaleUp": a.ScaleUp, "scaleDown": a.ScaleDown} {
		at := "behavior." + direction + "."
		assert.EqualValues(t, b.StabilizationSeconds, hpa(at+"stabilizationWindowSeconds"), "%s window", direction)
		assert.Equal(t, b.SelectPolicy, hpa(at+"selectPolicy"), "%s selectPolicy", direction)
		for i, pol := range b.Policies {
			p := fmt.Sprintf("%spolicies.%d.", at, i)
			assert.Equal(t, pol.Type, hpa(p+"type"), "%s policy %d type", direction, i)
			assert.EqualValues(t, pol.Value, hpa(p+"value"), "%s policy %d value", direction, i)
			assert.EqualValues(t, pol.PeriodSeconds, hpa(p+"periodSeconds"), "%s policy %d period", direction, i)
		}
	}
	assert.Equal(t, "openwan-api", hpa("scaleTargetRef.name"), "the HPA scales this service's Deployment")
}

func TestDeploymentLeavesReplicasToTheHPA(t *testing.T) {
	args := kubeValidServiceArgs()
	input := kubeDeclareService(t, args)
	spec, ok := input(model.TypeK8sDeployment, "openwan-api-deployment", "spec").(map[string]any)
	require.True(t, ok, "the Deployment has a spec")
	assert.NotContains(t, spec, "replicas", "a fixed count would fight the HPA on every update")

	container := func(path string) any {
		return input(model.TypeK8sDeployment, "openwan-api-deployment", "spec.template.spec.containers.0."+path)
	}
	assert.Equal(t, args.Image, container("image"), "Image")
	assert.EqualValues(t, args.Port, container("ports.0.containerPort"), "Port")
	assert.Equal(t, fmt.Sprintf("%dm", args.Requests.CPUMillis), container("resources.requests.cpu"), "CPU request in millicores")
	assert.Equal(t, fmt.Sprintf("%dMi", args.Limits.MemoryMiB), container("resources.limits.memory"), "memory limit in MiB")
	assert.EqualValues(t, args.PreStopSleepSeconds, container("lifecycle.preStop.sleep.seconds"), "PreStopSleepSeconds")
	assert.Equal(t, "A", container("env.0.name"), "environment in key order, so the pod template never changes by itself")
	assert.Equal(t, "B", container("env.1.name"), "environment in key order, so the pod template never changes by itself")
}

func TestWithoutAnHPANoHPA(t *testing.T) {
	args := kubeValidServiceArgs()
	args.HPA = nil
	p := componenttest.Declare(t, kube.NewScalableService, "openwan-worker", args)
	assert.Empty(t, componenttest.Names(p, model.TypeK8sHPA), "another autoscaler owns the Deployment: never two on one")
	assert.Equal(t, []string{"openwan-worker-deployment"}, componenttest.Names(p, model.TypeK8sDeployment), "the Deployment is still declared")
}

// The startup probe gives a new container exactly StartupSeconds (the cold-start target) before
// the kubelet restarts it.
func TestStartupProbeAllowsTheColdStartTarget(t *testing.T) {
	args := kubeValidServiceArgs()
	in := kubeDeclareService(t, args)
	const probe = "spec.template.spec.containers.0.startupProbe."
	period := in(model.TypeK8sDeployment, "openwan-api-deployment", probe+"periodSeconds").(float64)
	failures := in(model.TypeK8sDeployment, "openwan-api-deployment", probe+"failureThreshold").(float64)
	assert.Equal(t, float64(args.StartupSeconds), period*failures, "period x failureThreshold is the time a start may take")
	assert.Equal(t, args.LivenessPath, in(model.TypeK8sDeployment, "openwan-api-deployment", probe+"httpGet.path"), "the startup probe asks the liveness path")
}

// TestScratchEvictableNamesTheScratchVolume: with ScratchEvictable the pods name their /tmp
// volume as safe to evict, and only it; without, they carry no annotation, so cluster-autoscaler
// keeps their node.
func TestScratchEvictableNamesTheScratchVolume(t *testing.T) {
	args := kubeValidServiceArgs()
	args.ScratchEvictable = true
	p := componenttest.Declare(t, kube.NewScalableService, "svc", args)
	annotations := componenttest.Input(t, p, model.TypeK8sDeployment, "svc-deployment", "spec.template.metadata.annotations")
	assert.Equal(t, map[string]any{kube.SafeToEvictLocalVolumes: "tmp"}, annotations)
	assert.Equal(t, "tmp", componenttest.Input(t, p, model.TypeK8sDeployment, "svc-deployment", "spec.template.spec.volumes.0.name"),
		"the annotation names the pods' own scratch volume")

	args.ScratchEvictable = false
	p = componenttest.Declare(t, kube.NewScalableService, "svc", args)
	d, err := p.Get(model.TypeK8sDeployment, "svc-deployment")
	require.NoError(t, err)
	_, err = d.Input("spec.template.metadata.annotations")
	assert.Error(t, err, "no annotation: the scratch keeps the node")
}

// TestScratchIsSizedAndPullsOnce: the container requests and is limited to its ephemeral
// storage, /tmp is capped at the request, and the image is pulled only by nodes without it.
func TestScratchIsSizedAndPullsOnce(t *testing.T) {
	args := kubeValidServiceArgs()
	input := kubeDeclareService(t, args)
	assert.Equal(t, "3Gi", input(model.TypeK8sDeployment, "openwan-api-deployment", "spec.template.spec.containers.0.resources.requests.ephemeral-storage"))
	assert.Equal(t, "4Gi", input(model.TypeK8sDeployment, "openwan-api-deployment", "spec.template.spec.containers.0.resources.limits.ephemeral-storage"))
	assert.Equal(t, "3Gi", input(model.TypeK8sDeployment, "openwan-api-deployment", "spec.template.spec.volumes.0.emptyDir.sizeLimit"),
		"the scratch is capped at what the scheduler reserved")
	assert.Equal(t, "IfNotPresent", input(model.TypeK8sDeployment, "openwan-api-deployment", "spec.template.spec.containers.0.imagePullPolicy"))
}

// TestScalableServiceTakesItsFieldsBack: every object is applied with force, so an `up` after a
// hand edit restores the config rather than failing on the field conflict.
func TestScalableServiceTakesItsFieldsBack(t *testing.T) {
	args := kubeValidServiceArgs()
	require.NotNil(t, args.HPA, "the HPA is among the objects applied with force")
	p := componenttest.Declare(t, kube.NewScalableService, "api", args)
	for _, r := range []struct{ typ, name string }{
		{model.TypeK8sDeployment, "api-deployment"}, {model.TypeK8sHPA, "api-hpa"},
		{model.TypeK8sPodDisruptionBudget, "api-pdb"}, {"kubernetes:core/v1:Service", "api-service"},
	} {
		annotations := componenttest.Input(t, p, r.typ, r.name, "metadata.annotations").(map[string]any)
		assert.Equal(t, "true", annotations[kube.PatchForceAnnotation], "%s is applied with force", r.name)
	}
}
