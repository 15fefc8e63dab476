# Writes OUTPUT, a C++ initializer list with one {"file.json", "text"} entry
# per hardware preset in PRESET_DIR, so that presets work wherever pp-opt
# runs. Run with cmake -P at build time.
file(GLOB presets RELATIVE "${PRESET_DIR}" "${PRESET_DIR}/*.json")
list(SORT presets)
set(content "// Generated from hardware/*.json by lib/Analysis/EmbedPresets.cmake.\n")
foreach(name IN LISTS presets)
  file(READ "${PRESET_DIR}/${name}" text)
  string(APPEND content "{\"${name}\", R\"pp_preset(${text})pp_preset\"},\n")
endforeach()
file(WRITE "${OUTPUT}" "${content}")
