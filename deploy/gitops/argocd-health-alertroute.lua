-- Argo CD health check for vigie.dihya.io/AlertRoute: Healthy when the route is installed (Ready
-- True), Degraded when it cannot be (Ready False: InvalidSpec, SecretNotFound, UnsupportedSink),
-- Progressing until the operator has seen the latest spec. Install it in argocd-cm under
-- resource.customizations.health.vigie.dihya.io_AlertRoute (see the README, "Argo CD health").
local hs = {}
if obj.status == nil or obj.status.conditions == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the vigie operator"
  return hs
end
local generation = obj.metadata.generation
local observed = obj.status.observedGeneration
if generation ~= nil and (observed == nil or observed < generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for the vigie operator to see the latest spec"
  return hs
end
for _, c in ipairs(obj.status.conditions) do
  if c.type == "Ready" then
    if c.status == "True" then
      hs.status = "Healthy"
    elseif c.status == "False" then
      hs.status = "Degraded"
    else
      hs.status = "Progressing"
    end
    hs.message = (c.reason or "") .. ": " .. (c.message or "")
    return hs
  end
end
hs.status = "Progressing"
hs.message = "Waiting for the vigie operator"
return hs
