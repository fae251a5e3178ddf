package kube

import (
	"fmt"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/components/internal/componenttest"
)

func validServiceArgs() *ScalableServiceArgs {
	return &ScalableServiceArgs{
		Namespace: pulumi.String("openwan"), Component: "api", Image: "ghcr.io/openwan/openwan-api:1.0.0", Port: 8080,
		LivenessPath: "/livez", ReadinessPath: "/readyz",
		MinReplicas: 3, MaxReplicas: 12, CPUPercent: 65, MemoryPercent: 75,
		ScaleUp: Behavior{StabilizationSeconds: 30, SelectPolicy: "Max", Policies: []Policy{{Type: "Pods", Value: 3, PeriodSeconds: 20}}},
		ScaleDown: Behavior{StabilizationSeconds: 240, SelectPolicy: "Min",
			Policies: []Policy{{Type: "Percent", Value: 20, PeriodSeconds: 90}, {Type: "Pods", Value: 2, PeriodSeconds: 90}}},
		Requests: Resources{CPUMillis: 250, MemoryMiB: 256}, Limits: Resources{CPUMillis: 1000, MemoryMiB: 512},
		TerminationGracePeriodSeconds: 45, PreStopSleepSeconds: 10, StartupSeconds: 90,
		Env:        map[string]string{"B": "2", "A": "1"},
		SecretName: "openwan-secrets", ManageHPA: true,
	}
}

func TestScalableServiceArgsRefusals(t *testing.T) {
	var nilArgs *ScalableServiceArgs
	assert.EqualError(t, nilArgs.validate(), "args are required")
	require.NoError(t, validServiceArgs().validate(), "the valid args of these tests")

	cases := []struct {
		name   string
		change func(a *ScalableServiceArgs)
		fields []string
	}{
		{"no namespace", func(a *ScalableServiceArgs) { a.Namespace = nil }, []string{"Namespace"}},
		{"no secret", func(a *ScalableServiceArgs) { a.SecretName = "" }, []string{"SecretName"}},
		{"max below min", func(a *ScalableServiceArgs) { a.MaxReplicas = 2 }, []string{"MaxReplicas"}},
		{"no requests to measure against", func(a *ScalableServiceArgs) { a.Requests = Resources{} },
			[]string{"Requests.CPUMillis", "Requests.MemoryMiB"}},
		{"limit below request", func(a *ScalableServiceArgs) { a.Limits.MemoryMiB = 128 }, []string{"Limits.MemoryMiB"}},
		{"sleep outlasting the grace period", func(a *ScalableServiceArgs) { a.PreStopSleepSeconds = 45 }, []string{"PreStopSleepSeconds"}},
		{"startup not a whole number of probe periods", func(a *ScalableServiceArgs) { a.StartupSeconds = 62 }, []string{"StartupSeconds"}},
		{"startup of one probe period", func(a *ScalableServiceArgs) { a.StartupSeconds = 5 }, []string{"StartupSeconds"}},
		{"bad behavior", func(a *ScalableServiceArgs) {
			a.ScaleDown.SelectPolicy, a.ScaleDown.Policies[1].PeriodSeconds = "Most", 3600
		},
			[]string{"ScaleDown.SelectPolicy", "ScaleDown.Policies[1].PeriodSeconds"}},
		{"several fields at once", func(a *ScalableServiceArgs) { a.Image, a.Port, a.MinReplicas, a.CPUPercent = "", 0, 0, 120 },
			[]string{"Image", "Port", "MinReplicas", "CPUPercent"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := validServiceArgs()
			c.change(args)
			componenttest.AssertFields(t, args.validate(), c.fields...)
		})
	}
}

func TestScalableServiceRefusedDeclaresNothing(t *testing.T) {
	err := componenttest.Refused(t, func(ctx *pulumi.Context) error {
		_, err := NewScalableService(ctx, "openwan-api", &ScalableServiceArgs{})
		return err
	})
	assert.ErrorContains(t, err, "scalable service openwan-api: Namespace", "the error names the component and the field")
}

func declareService(t *testing.T, args *ScalableServiceArgs) func(typ, name, path string) any {
	t.Helper()
	p := componenttest.Run(t, func(ctx *pulumi.Context) error {
		_, err := NewScalableService(ctx, "openwan-api", args)
		return err
	})
	return func(typ, name, path string) any { return componenttest.Input(t, p, typ, name, path) }
}

func TestHPAFollowsArgs(t *testing.T) {
	args := validServiceArgs()
	input := declareService(t, args)
	hpa := func(path string) any { return input(hpaType, "openwan-api-hpa", "spec."+path) }

	assert.EqualValues(t, args.MinReplicas, hpa("minReplicas"), "MinReplicas")
	assert.EqualValues(t, args.MaxReplicas, hpa("maxReplicas"), "MaxReplicas")
	assert.EqualValues(t, args.CPUPercent, hpa("metrics.0.resource.target.averageUtilization"), "the CPU target")
	assert.EqualValues(t, args.MemoryPercent, hpa("metrics.1.resource.target.averageUtilization"), "the memory target")
	for direction, b := range map[string]Behavior{"scaleUp": args.ScaleUp, "scaleDown": args.ScaleDown} {
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
	args := validServiceArgs()
	input := declareService(t, args)
	spec, ok := input(deploymentType, "openwan-api-deployment", "spec").(map[string]any)
	require.True(t, ok, "the Deployment has a spec")
	assert.NotContains(t, spec, "replicas", "a fixed count would fight the HPA on every update")

	container := func(path string) any {
		return input(deploymentType, "openwan-api-deployment", "spec.template.spec.containers.0."+path)
	}
	assert.Equal(t, args.Image, container("image"), "Image")
	assert.EqualValues(t, args.Port, container("ports.0.containerPort"), "Port")
	assert.Equal(t, fmt.Sprintf("%dm", args.Requests.CPUMillis), container("resources.requests.cpu"), "CPU request in millicores")
	assert.Equal(t, fmt.Sprintf("%dMi", args.Limits.MemoryMiB), container("resources.limits.memory"), "memory limit in MiB")
	assert.EqualValues(t, args.PreStopSleepSeconds, container("lifecycle.preStop.sleep.seconds"), "PreStopSleepSeconds")
	assert.Equal(t, "A", container("env.0.name"), "environment in key order, so the pod template never changes by itself")
	assert.Equal(t, "B", container("env.1.name"), "environment in key order, so the pod template never changes by itself")
}

func TestWithoutManageHPANoHPA(t *testing.T) {
	args := validServiceArgs()
	args.ManageHPA = false
	p := componenttest.Run(t, func(ctx *pulumi.Context) error {
		_, err := NewScalableService(ctx, "openwan-worker", args)
		return err
	})
	assert.Empty(t, componenttest.Names(p, hpaType), "another autoscaler owns the Deployment: never two on one")
	assert.Equal(t, []string{"openwan-worker-deployment"}, componenttest.Names(p, deploymentType), "the Deployment is still declared")
}

// The startup probe gives a new container exactly StartupSeconds (the cold-start target) before
// the kubelet restarts it.
func TestStartupProbeAllowsTheColdStartTarget(t *testing.T) {
	args := validServiceArgs()
	in := declareService(t, args)
	const probe = "spec.template.spec.containers.0.startupProbe."
	period := in(deploymentType, "openwan-api-deployment", probe+"periodSeconds").(float64)
	failures := in(deploymentType, "openwan-api-deployment", probe+"failureThreshold").(float64)
	assert.Equal(t, float64(args.StartupSeconds), period*failures, "period x failureThreshold is the time a start may take")
	assert.Equal(t, args.LivenessPath, in(deploymentType, "openwan-api-deployment", probe+"httpGet.path"), "the startup probe asks the liveness path")
}
