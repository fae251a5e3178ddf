//go:build integration

package integration

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/config"
)

// TestFaults deploys the local stack once and puts it through what its users meet at 3 a.m.
// Each scenario logs its figures (time to converge, the re-preview's changes); the README's
// reliability section quotes them.
func TestFaults(t *testing.T) {
	ctx := context.Background()
	want, err := config.FromStackFile("..", "local")
	require.NoError(t, err)
	ns := want.App.Namespace
	stack := newStack(t, "faults", nil)
	// The local stack's tests deploy the same namespace and cluster objects after this one:
	// they start only once the destroy has removed them.
	t.Cleanup(func() {
		_, err := stack.Destroy(ctx)
		assert.NoError(t, err, "destroy of the faults stack")
		eventually(t, 2*time.Minute, func() string {
			if get(t, "/api/v1/namespaces/"+ns) != nil {
				return "namespace " + ns + " still exists"
			}
			return ""
		})
	})
	_, err = stack.Up(ctx, optup.ProgressStreams(logWriter{t}))
	require.NoError(t, err, "up of the faults stack")
	waitAvailable(t, ns, "openwan-api", want.API.Replicas.Min)

	// Drift: someone edits the HPA's minimum and scales the Deployment by hand. The refreshed
	// preview reports the HPA and not the replica count, which the autoscaler owns (the
	// Deployment declares none); `up` restores the HPA and leaves the count alone. Checked the
	// other way: before the objects were applied with force (kube.PatchForceAnnotation), this
	// scenario failed, the preview refusing on the server-side apply conflict over
	// spec.minReplicas that the edit's field manager now owned.
	t.Run("drift", func(t *testing.T) {
		hpa := "/apis/autoscaling/v2/namespaces/" + ns + "/horizontalpodautoscalers/openwan-api-hpa"
		deployment := "/apis/apps/v1/namespaces/" + ns + "/deployments/openwan-api"
		edited := want.API.Replicas.Min + 1
		scaled := want.API.Replicas.Max - 1
		require.Greater(t, scaled, edited, "precondition: the hand-scaled count is within the edited bounds")
		require.NoError(t, kube.Patch(ctx, hpa, map[string]any{"spec": map[string]any{"minReplicas": edited}}))
		require.NoError(t, kube.Patch(ctx, deployment, map[string]any{"spec": map[string]any{"replicas": scaled}}))
		t.Cleanup(func() {
			_ = kube.Patch(ctx, hpa, map[string]any{"spec": map[string]any{"minReplicas": want.API.Replicas.Min}})
			_ = kube.Patch(ctx, deployment, map[string]any{"spec": map[string]any{"replicas": want.API.Replicas.Min}})
			waitAvailable(t, ns, "openwan-api", want.API.Replicas.Min)
		})

		start := time.Now()
		changed := previewChanges(t, stack, true)
		assert.Equal(t, map[string]apitype.OpType{"openwan-api-hpa": apitype.OpUpdate}, changed,
			"a refreshed preview reports the HPA's drift, and not the replica count the autoscaler owns")
		_, err := stack.Up(ctx, optup.Refresh(), optup.ProgressStreams(logWriter{t}))
		require.NoError(t, err, "up restores the config")
		assert.Equal(t, float64(want.API.Replicas.Min), at(get(t, hpa), "spec.minReplicas"), "the HPA's minimum is the config's again")
		assert.Equal(t, float64(scaled), at(get(t, deployment), "spec.replicas"), "the replica count stays the autoscaler's")
		after := previewChanges(t, stack, true)
		assert.Empty(t, after, "after the up, a refreshed preview changes nothing")
		t.Logf("figures: drift restored in %v; re-preview changes %d", time.Since(start).Round(time.Second), len(after))
	})
}

// previewChanges runs a preview (refreshed first if asked) and returns the resources it would
// change, by name, with the operation.
func previewChanges(t *testing.T, stack auto.Stack, refresh bool) map[string]apitype.OpType {
	t.Helper()
	ch := make(chan events.EngineEvent)
	out := map[string]apitype.OpType{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range ch {
			if ev.ResourcePreEvent == nil {
				continue
			}
			m := ev.ResourcePreEvent.Metadata
			switch m.Op {
			case apitype.OpSame, apitype.OpRead, apitype.OpRefresh:
				continue
			}
			out[m.URN[strings.LastIndex(m.URN, "::")+2:]] = m.Op
		}
	}()
	opts := []optpreview.Option{optpreview.EventStreams(ch)}
	if refresh {
		opts = append(opts, optpreview.Refresh())
	}
	_, err := stack.Preview(context.Background(), opts...)
	<-done
	require.NoError(t, err, "preview")
	return out
}

// waitAvailable waits until the Deployment has n available replicas and no more.
func waitAvailable(t *testing.T, ns, name string, n int) {
	t.Helper()
	eventually(t, 2*time.Minute, func() string {
		d := get(t, "/apis/apps/v1/namespaces/"+ns+"/deployments/"+name)
		if at(d, "status.availableReplicas") != float64(n) || at(d, "status.replicas") != float64(n) {
			return fmt.Sprintf("%s: %v", name, at(d, "status"))
		}
		return ""
	})
}
