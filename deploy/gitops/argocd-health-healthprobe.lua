-- Argo CD health check for vigie.dihya.io/HealthProbe: the probe's target health as Argo CD's.
--   Healthy      the Healthy condition is True (the target passed its checks)
--   Degraded     the Healthy condition is False (the target fails: reason and message shown), or
--                the spec cannot run (Ready False: InvalidSpec, SecretNotFound)
--   Suspended    spec.suspend is true (status.health Suspended)
--   Progressing  no verdict yet (a new probe, a changed spec the operator has not seen, no status)
-- Install it in argocd-cm under resource.customizations.health.vigie.dihya.io_HealthProbe (see the
-- README, "Argo CD health").
local hs = {}

local function condition(conditions, kind)
  if conditions == nil then
    return nil
  end
  for _, c in ipairs(conditions) do
    if c.type == kind then
      return c
    end
  end
  return nil
end

local function describe(c)
  if c.message ~= nil and c.message ~= "" then
    return (c.reason or "") .. ": " .. c.message
  end
  return c.reason or ""
end

if obj.status == nil then
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
if obj.status.health == "Suspended" then
  hs.status = "Suspended"
  hs.message = "Checks are suspended (spec.suspend)"
  return hs
end
local ready = condition(obj.status.conditions, "Ready")
if ready ~= nil and ready.status == "False" then
  hs.status = "Degraded"
  hs.message = describe(ready)
  return hs
end
local healthy = condition(obj.status.conditions, "Healthy")
if healthy ~= nil and healthy.status == "True" then
  hs.status = "Healthy"
  hs.message = describe(healthy)
  return hs
end
if healthy ~= nil and healthy.status == "False" then
  hs.status = "Degraded"
  hs.message = describe(healthy)
  return hs
end
hs.status = "Progressing"
if healthy ~= nil then
  hs.message = describe(healthy)
else
  hs.message = "Waiting for the first checks"
end
return hs
